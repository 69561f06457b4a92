// The broker configs the transaction coordinator reads, from Kafka's names
// to its own typed settings.
import type { BrokerConfigValues } from '@kstream/metadata';
import type { TransactionCoordinatorConfig } from '@kstream/transaction-coordinator';

/** `config`'s transaction coordinator settings. */
export function transactionCoordinatorConfig(config: BrokerConfigValues): TransactionCoordinatorConfig {
  return {
    transactionalIdExpirationMs: config['transactional.id.expiration.ms'],
    transactionMaxTimeoutMs: config['transaction.max.timeout.ms'],
    abortTimedOutTransactionsIntervalMs: config['transaction.abort.timed.out.transaction.cleanup.interval.ms'],
    removeExpiredTransactionalIdsIntervalMs: config['transaction.remove.expired.transaction.cleanup.interval.ms'],
    loadBufferSize: config['transaction.state.log.load.buffer.size'],
  };
}
