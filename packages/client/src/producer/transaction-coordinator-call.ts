import type { ClusterClient } from '../cluster/index.js';
import type { BrokerConnection } from '../connection/index.js';
import { KafkaRetriesExhaustedError, KafkaTimeoutError, withRetry } from '../errors/index.js';
import { coordinatorMoved } from '../consumer/group/coordinator-call.js';

/**
 * Runs `call` against the transaction coordinator of `transactionalId`,
 * retrying what Kafka calls retriable (COORDINATOR_LOAD_IN_PROGRESS,
 * CONCURRENT_TRANSACTIONS, a lost connection, ...) with backoff until
 * `deadline`; a coordinator that moved (NOT_COORDINATOR,
 * COORDINATOR_NOT_AVAILABLE, a failed connection) is looked up again first.
 * Running out of time is a KafkaTimeoutError (retriable: calling again may
 * succeed), naming the limit, with the last failure as its cause.
 */
export async function callTransactionCoordinator<T>(
  cluster: ClusterClient,
  transactionalId: string,
  description: string,
  timeout: { deadline: number; limit: string },
  call: (coordinator: BrokerConnection) => Promise<T>,
): Promise<T> {
  const { retryBackoffMs, retryBackoffMaxMs, retries } = cluster.options;
  try {
    return await withRetry(async () => call(await cluster.coordinator('transaction', transactionalId)), {
      retryBackoffMs,
      retryBackoffMaxMs,
      retries,
      deadline: timeout.deadline,
      description,
      onRetry: (error) => {
        if (coordinatorMoved(error)) cluster.invalidateCoordinator('transaction', transactionalId);
      },
    });
  } catch (error) {
    if (!(error instanceof KafkaRetriesExhaustedError)) throw error;
    const last = error.cause instanceof Error ? error.cause.message : String(error.cause);
    throw new KafkaTimeoutError(`${description} did not complete within ${timeout.limit}, after ${error.attempts} attempts: ${last}`, { cause: error.cause });
  }
}
