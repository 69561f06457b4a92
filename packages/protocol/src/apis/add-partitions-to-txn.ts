import { defineApi, f } from '../schema/schema-types.js';

// Kafka's common struct AddPartitionsToTxnTopic, shared by the batched (v4+) and single-transaction (v0-3) layouts.
const addPartitionsToTxnTopic = [f.string('name', '0+'), f.array('partitions', '0+', 'int32')] as const;

// Kafka's common struct AddPartitionsToTxnTopicResult, with AddPartitionsToTxnPartitionResult inside.
const addPartitionsToTxnTopicResult = [
  f.string('name', '0+'),
  f.structs('resultsByPartition', '0+', [f.int32('partitionIndex', '0+'), f.int16('partitionErrorCode', '0+')]),
] as const;

export const AddPartitionsToTxn = defineApi({
  apiKey: 24,
  name: 'AddPartitionsToTxn',
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: [
    f.structs('transactions', '4+', [
      f.string('transactionalId', '4+'),
      f.int64('producerId', '4+'),
      f.int16('producerEpoch', '4+'),
      f.bool('verifyOnly', '4+'),
      f.structs('topics', '4+', addPartitionsToTxnTopic),
    ]),
    f.string('v3AndBelowTransactionalId', '0-3'),
    f.int64('v3AndBelowProducerId', '0-3'),
    f.int16('v3AndBelowProducerEpoch', '0-3'),
    f.structs('v3AndBelowTopics', '0-3', addPartitionsToTxnTopic),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '4+'),
    f.structs('resultsByTransaction', '4+', [f.string('transactionalId', '4+'), f.structs('topicResults', '4+', addPartitionsToTxnTopicResult)]),
    f.structs('resultsByTopicV3AndBelow', '0-3', addPartitionsToTxnTopicResult),
  ],
});
