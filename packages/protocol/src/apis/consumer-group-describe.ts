import { AUTHORIZED_OPERATIONS_OMITTED } from '../acl/authorized-operations.js';
import { defineApi, f } from '../schema/schema-types.js';

// Kafka's common struct Assignment, holding its common struct TopicPartitions.
const assignment = [f.structs('topicPartitions', '0+', [f.uuid('topicId', '0+'), f.string('topicName', '0+'), f.array('partitions', '0+', 'int32')])] as const;

export const ConsumerGroupDescribe = defineApi({
  apiKey: 69,
  name: 'ConsumerGroupDescribe',
  validVersions: '0',
  flexibleVersions: '0+',
  request: [f.array('groupIds', '0+', 'string'), f.bool('includeAuthorizedOperations', '0+')],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.structs('groups', '0+', [
      f.int16('errorCode', '0+'),
      f.string('errorMessage', '0+', { nullable: '0+', default: null }),
      f.string('groupId', '0+'),
      f.string('groupState', '0+'),
      f.int32('groupEpoch', '0+'),
      f.int32('assignmentEpoch', '0+'),
      f.string('assignorName', '0+'),
      f.structs('members', '0+', [
        f.string('memberId', '0+'),
        f.string('instanceId', '0+', { nullable: '0+', default: null }),
        f.string('rackId', '0+', { nullable: '0+', default: null }),
        f.int32('memberEpoch', '0+'),
        f.string('clientId', '0+'),
        f.string('clientHost', '0+'),
        f.array('subscribedTopicNames', '0+', 'string'),
        f.string('subscribedTopicRegex', '0+', { nullable: '0+', default: null }),
        f.struct('assignment', '0+', assignment),
        f.struct('targetAssignment', '0+', assignment),
      ]),
      f.int32('authorizedOperations', '0+', { default: AUTHORIZED_OPERATIONS_OMITTED }),
    ]),
  ],
});
