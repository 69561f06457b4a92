// Kafka's key and value messages of __transaction_state (TransactionLogKey,
// TransactionLogValue in Kafka's transaction-coordinator message JSON), as
// data messages: a 2-byte version, then the struct. Version 1 of the value is
// flexible and adds three tagged fields (KIP-890's previous and next producer
// ids, the client's transaction version); Kafka writes it only with
// transaction version 2, which kstream does not speak, so we write version 0
// and read both.
import { defineDataMessage, f } from '@kstream/protocol';

export const TransactionLogKeySchema = defineDataMessage({
  name: 'TransactionLogKey',
  validVersions: '0',
  flexibleVersions: 'none',
  fields: [f.string('transactionalId', '0')],
});

export const TransactionLogValueSchema = defineDataMessage({
  name: 'TransactionLogValue',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    f.int64('producerId', '0+'),
    f.int64('previousProducerId', '1+', { tagged: { versions: '1+', tag: 0 }, default: -1n }),
    f.int64('nextProducerId', '1+', { tagged: { versions: '1+', tag: 1 }, default: -1n }),
    f.int16('producerEpoch', '0+'),
    f.int32('transactionTimeoutMs', '0+'),
    f.int8('transactionStatus', '0+'),
    f.structs('transactionPartitions', '0+', [f.string('topic', '0+'), f.array('partitionIds', '0+', 'int32')], { nullable: '0+' }),
    f.int64('transactionLastUpdateTimestampMs', '0+'),
    f.int64('transactionStartTimestampMs', '0+'),
    f.int16('clientTransactionVersion', '1+', { tagged: { versions: '1+', tag: 2 }, default: 0 }),
  ],
});

/** The key version Kafka writes; the value version Kafka writes under transaction version 1. */
export const TRANSACTION_LOG_KEY_VERSION = 0;
export const TRANSACTION_LOG_VALUE_VERSION = 0;
