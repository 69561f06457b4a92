import { defineApi, f } from '../schema/schema-types.js';

export const WriteTxnMarkers = defineApi({
  apiKey: 27,
  name: 'WriteTxnMarkers',
  validVersions: '0-1',
  flexibleVersions: '1+',
  request: [
    f.structs('markers', '0+', [
      f.int64('producerId', '0+'),
      f.int16('producerEpoch', '0+'),
      f.bool('transactionResult', '0+'),
      f.structs('topics', '0+', [f.string('name', '0+'), f.array('partitionIndexes', '0+', 'int32')]),
      f.int32('coordinatorEpoch', '0+'),
    ]),
  ],
  response: [
    f.structs('markers', '0+', [
      f.int64('producerId', '0+'),
      f.structs('topics', '0+', [f.string('name', '0+'), f.structs('partitions', '0+', [f.int32('partitionIndex', '0+'), f.int16('errorCode', '0+')])]),
    ]),
  ],
});
