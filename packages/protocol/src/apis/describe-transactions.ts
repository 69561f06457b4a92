import { defineApi, f } from '../schema/schema-types.js';

export const DescribeTransactions = defineApi({
  apiKey: 65,
  name: 'DescribeTransactions',
  validVersions: '0',
  flexibleVersions: '0+',
  request: [f.array('transactionalIds', '0+', 'string')],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.structs('transactionStates', '0+', [
      f.int16('errorCode', '0+'),
      f.string('transactionalId', '0+'),
      f.string('transactionState', '0+'),
      f.int32('transactionTimeoutMs', '0+'),
      f.int64('transactionStartTimeMs', '0+'),
      f.int64('producerId', '0+'),
      f.int16('producerEpoch', '0+'),
      f.structs('topics', '0+', [f.string('topic', '0+'), f.array('partitions', '0+', 'int32')]),
    ]),
  ],
});
