import { ErrorCode } from '@kstream/protocol';
import type { ClusterClient } from '../../cluster/index.js';
import type { BrokerConnection } from '../../connection/index.js';
import { KafkaConnectionError, KafkaProtocolError, KafkaTimeoutError, withRetry } from '../../errors/index.js';

/** Kafka's default.api.timeout.ms: how long a commit or an offset fetch keeps retrying. */
export const DEFAULT_API_TIMEOUT_MS = 60_000;

/**
 * Whether the group's coordinator should be looked up again: it answered
 * that it no longer is the coordinator, or its connection failed (a crashed
 * broker's groups move to another).
 */
export function coordinatorMoved(error: unknown): boolean {
  if (error instanceof KafkaConnectionError || error instanceof KafkaTimeoutError) return true;
  return error instanceof KafkaProtocolError && (error.code === ErrorCode.NOT_COORDINATOR || error.code === ErrorCode.COORDINATOR_NOT_AVAILABLE);
}

/**
 * Runs `call` against the group's coordinator, retrying retriable failures
 * until `deadline`; a coordinator that moved or failed is looked up afresh
 * before the next attempt.
 */
export function callCoordinator<T>(
  cluster: ClusterClient,
  groupId: string,
  description: string,
  deadline: number,
  call: (coordinator: BrokerConnection) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const { retryBackoffMs, retryBackoffMaxMs, retries } = cluster.options;
  return withRetry(async () => call(await cluster.coordinator('group', groupId)), {
    retryBackoffMs,
    retryBackoffMaxMs,
    retries,
    deadline,
    description,
    onRetry: (error) => {
      if (coordinatorMoved(error)) cluster.invalidateCoordinator('group', groupId);
    },
    ...(signal === undefined ? {} : { signal }),
  });
}
