import { f } from '../schema/schema-types.js';
import { defineConsumerProtocol } from './consumer-protocol-spec.js';

/** What a consumer subscribes to, sent as JoinGroup's protocol metadata for protocol type "consumer". */
export const ConsumerProtocolSubscription = defineConsumerProtocol({
  name: 'ConsumerProtocolSubscription',
  validVersions: '0-3',
  fields: [
    f.array('topics', '0+', 'string'),
    f.bytes('userData', '0+', { nullable: '0+', default: null }),
    f.structs('ownedPartitions', '1+', [f.string('topic', '1+'), f.array('partitions', '1+', 'int32')]),
    f.int32('generationId', '2+', { default: -1 }),
    f.string('rackId', '3+', { nullable: '3+', default: null }),
  ],
});
