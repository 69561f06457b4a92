import { defineApi, f } from '../schema/schema-types.js';

export const ElectLeaders = defineApi({
  apiKey: 43,
  name: 'ElectLeaders',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [
    f.int8('electionType', '1+'),
    f.structs('topicPartitions', '0+', [f.string('topic', '0+'), f.array('partitions', '0+', 'int32')], { nullable: '0+' }),
    f.int32('timeoutMs', '0+', { default: 60000 }),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '1+'),
    f.structs('replicaElectionResults', '0+', [
      f.string('topic', '0+'),
      f.structs('partitionResult', '0+', [f.int32('partitionId', '0+'), f.int16('errorCode', '0+'), f.string('errorMessage', '0+', { nullable: '0+' })]),
    ]),
  ],
});
