import { f } from '../schema/schema-types.js';
import { defineConsumerProtocol } from './consumer-protocol-spec.js';

/** The partitions a group leader assigns to one member, sent in SyncGroup's assignments. */
export const ConsumerProtocolAssignment = defineConsumerProtocol({
  name: 'ConsumerProtocolAssignment',
  validVersions: '0-3',
  fields: [f.structs('assignedPartitions', '0+', [f.string('topic', '0+'), f.array('partitions', '0+', 'int32')]), f.bytes('userData', '0+', { nullable: '0+', default: null })],
});
