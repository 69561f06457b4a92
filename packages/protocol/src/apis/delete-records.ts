import { defineApi, f } from '../schema/schema-types.js';

export const DeleteRecords = defineApi({
  apiKey: 21,
  name: 'DeleteRecords',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [
    f.structs('topics', '0+', [f.string('name', '0+'), f.structs('partitions', '0+', [f.int32('partitionIndex', '0+'), f.int64('offset', '0+')])]),
    f.int32('timeoutMs', '0+'),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.structs('topics', '0+', [
      f.string('name', '0+'),
      f.structs('partitions', '0+', [f.int32('partitionIndex', '0+'), f.int64('lowWatermark', '0+'), f.int16('errorCode', '0+')]),
    ]),
  ],
});
