import { defineApi, f } from '../schema/schema-types.js';

export const AlterPartitionReassignments = defineApi({
  apiKey: 45,
  name: 'AlterPartitionReassignments',
  validVersions: '0',
  flexibleVersions: '0+',
  request: [
    f.int32('timeoutMs', '0+', { default: 60000 }),
    f.structs('topics', '0+', [
      f.string('name', '0+'),
      f.structs('partitions', '0+', [f.int32('partitionIndex', '0+'), f.array('replicas', '0+', 'int32', { nullable: '0+', default: null })]),
    ]),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '0+'),
    f.string('errorMessage', '0+', { nullable: '0+' }),
    f.structs('responses', '0+', [
      f.string('name', '0+'),
      f.structs('partitions', '0+', [f.int32('partitionIndex', '0+'), f.int16('errorCode', '0+'), f.string('errorMessage', '0+', { nullable: '0+' })]),
    ]),
  ],
});
