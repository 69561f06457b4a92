import { AUTHORIZED_OPERATIONS_OMITTED } from '../acl/authorized-operations.js';
import { defineApi, f } from '../schema/schema-types.js';

export const Metadata = defineApi({
  apiKey: 3,
  name: 'Metadata',
  validVersions: '0-12',
  flexibleVersions: '9+',
  request: [
    f.structs('topics', '0+', [f.uuid('topicId', '10+'), f.string('name', '0+', { nullable: '10+' })], { nullable: '1+' }),
    f.bool('allowAutoTopicCreation', '4+', { default: true }),
    f.bool('includeClusterAuthorizedOperations', '8-10'),
    f.bool('includeTopicAuthorizedOperations', '8+'),
  ],
  response: [
    f.int32('throttleTimeMs', '3+'),
    f.structs('brokers', '0+', [f.int32('nodeId', '0+'), f.string('host', '0+'), f.int32('port', '0+'), f.string('rack', '1+', { nullable: '1+', default: null })]),
    f.string('clusterId', '2+', { nullable: '2+', default: null }),
    f.int32('controllerId', '1+', { default: -1 }),
    f.structs('topics', '0+', [
      f.int16('errorCode', '0+'),
      f.string('name', '0+', { nullable: '12+' }),
      f.uuid('topicId', '10+'),
      f.bool('isInternal', '1+'),
      f.structs('partitions', '0+', [
        f.int16('errorCode', '0+'),
        f.int32('partitionIndex', '0+'),
        f.int32('leaderId', '0+'),
        f.int32('leaderEpoch', '7+', { default: -1 }),
        f.array('replicaNodes', '0+', 'int32'),
        f.array('isrNodes', '0+', 'int32'),
        f.array('offlineReplicas', '5+', 'int32'),
      ]),
      f.int32('topicAuthorizedOperations', '8+', { default: AUTHORIZED_OPERATIONS_OMITTED }),
    ]),
    f.int32('clusterAuthorizedOperations', '8-10', { default: AUTHORIZED_OPERATIONS_OMITTED }),
  ],
});
