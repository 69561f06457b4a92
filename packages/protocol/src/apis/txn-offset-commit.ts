import { defineApi, f } from '../schema/schema-types.js';

export const TxnOffsetCommit = defineApi({
  apiKey: 28,
  name: 'TxnOffsetCommit',
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: [
    f.string('transactionalId', '0+'),
    f.string('groupId', '0+'),
    f.int64('producerId', '0+'),
    f.int16('producerEpoch', '0+'),
    f.int32('generationId', '3+', { default: -1 }),
    f.string('memberId', '3+'),
    f.string('groupInstanceId', '3+', { nullable: '3+', default: null }),
    f.structs('topics', '0+', [
      f.string('name', '0+'),
      f.structs('partitions', '0+', [
        f.int32('partitionIndex', '0+'),
        f.int64('committedOffset', '0+'),
        f.int32('committedLeaderEpoch', '2+', { default: -1 }),
        f.string('committedMetadata', '0+', { nullable: '0+' }),
      ]),
    ]),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.structs('topics', '0+', [f.string('name', '0+'), f.structs('partitions', '0+', [f.int32('partitionIndex', '0+'), f.int16('errorCode', '0+')])]),
  ],
});
