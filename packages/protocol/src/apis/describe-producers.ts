import { defineApi, f } from '../schema/schema-types.js';

export const DescribeProducers = defineApi({
  apiKey: 61,
  name: 'DescribeProducers',
  validVersions: '0',
  flexibleVersions: '0+',
  request: [f.structs('topics', '0+', [f.string('name', '0+'), f.array('partitionIndexes', '0+', 'int32')])],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.structs('topics', '0+', [
      f.string('name', '0+'),
      f.structs('partitions', '0+', [
        f.int32('partitionIndex', '0+'),
        f.int16('errorCode', '0+'),
        f.string('errorMessage', '0+', { nullable: '0+', default: null }),
        f.structs('activeProducers', '0+', [
          f.int64('producerId', '0+'),
          f.int32('producerEpoch', '0+'),
          f.int32('lastSequence', '0+', { default: -1 }),
          f.int64('lastTimestamp', '0+', { default: -1n }),
          f.int32('coordinatorEpoch', '0+'),
          f.int64('currentTxnStartOffset', '0+', { default: -1n }),
        ]),
      ]),
    ]),
  ],
});
