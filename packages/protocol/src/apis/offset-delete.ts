import { defineApi, f } from '../schema/schema-types.js';

export const OffsetDelete = defineApi({
  apiKey: 47,
  name: 'OffsetDelete',
  validVersions: '0',
  flexibleVersions: 'none',
  request: [f.string('groupId', '0+'), f.structs('topics', '0+', [f.string('name', '0+'), f.structs('partitions', '0+', [f.int32('partitionIndex', '0+')])])],
  response: [
    f.int16('errorCode', '0+'),
    f.int32('throttleTimeMs', '0+'),
    f.structs('topics', '0+', [f.string('name', '0+'), f.structs('partitions', '0+', [f.int32('partitionIndex', '0+'), f.int16('errorCode', '0+')])]),
  ],
});
