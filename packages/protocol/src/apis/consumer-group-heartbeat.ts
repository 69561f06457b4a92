import { defineApi, f } from '../schema/schema-types.js';

// Kafka's common struct TopicPartitions: a topic by id and its partitions.
const topicPartitions = [f.uuid('topicId', '0+'), f.array('partitions', '0+', 'int32')] as const;

export const ConsumerGroupHeartbeat = defineApi({
  apiKey: 68,
  name: 'ConsumerGroupHeartbeat',
  validVersions: '0-1',
  flexibleVersions: '0+',
  request: [
    f.string('groupId', '0+'),
    f.string('memberId', '0+'),
    f.int32('memberEpoch', '0+'),
    f.string('instanceId', '0+', { nullable: '0+', default: null }),
    f.string('rackId', '0+', { nullable: '0+', default: null }),
    f.int32('rebalanceTimeoutMs', '0+', { default: -1 }),
    f.array('subscribedTopicNames', '0+', 'string', { nullable: '0+', default: null }),
    f.string('subscribedTopicRegex', '1+', { nullable: '1+', default: null }),
    f.string('serverAssignor', '0+', { nullable: '0+', default: null }),
    f.structs('topicPartitions', '0+', topicPartitions, { nullable: '0+', default: null }),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '0+'),
    f.string('errorMessage', '0+', { nullable: '0+', default: null }),
    f.string('memberId', '0+', { nullable: '0+', default: null }),
    f.int32('memberEpoch', '0+'),
    f.int32('heartbeatIntervalMs', '0+'),
    f.struct('assignment', '0+', [f.structs('topicPartitions', '0+', topicPartitions)], { nullable: '0+', default: null }),
  ],
});
