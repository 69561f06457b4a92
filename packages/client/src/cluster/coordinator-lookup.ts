// FindCoordinator: which broker coordinates a consumer group or a
// transactional id. From v4 (KIP-699) one request carries many keys, so
// lookups asked for in the same tick share one request; below v4 each key
// has its own.
import { ErrorCode, FindCoordinator, type RequestOf, type ResponseOf } from '@kstream/protocol';
import { protocolError, type ErrorContext, type KafkaProtocolError } from '../errors/kafka-client-error.js';
import type { BrokerConnection } from '../connection/broker-connection.js';

export type CoordinatorKeyType = 'group' | 'transaction';

const KEY_TYPES: Record<CoordinatorKeyType, number> = { group: 0, transaction: 1 };

export interface CoordinatorAddress {
  nodeId: number;
  host: string;
  port: number;
}

/** Each key's coordinator, or the Kafka error its lookup got (COORDINATOR_NOT_AVAILABLE, ...). */
export async function findCoordinators(
  connection: BrokerConnection,
  keyType: CoordinatorKeyType,
  keys: readonly string[],
): Promise<Map<string, CoordinatorAddress | KafkaProtocolError>> {
  const version = connection.version(FindCoordinator);
  const results = new Map<string, CoordinatorAddress | KafkaProtocolError>();
  if (version < 4) {
    await Promise.all(
      keys.map(async (key) => {
        const request: RequestOf<typeof FindCoordinator> = { key, keyType: KEY_TYPES[keyType], coordinatorKeys: [] };
        const response: ResponseOf<typeof FindCoordinator> = await connection.request(FindCoordinator, request, { version });
        results.set(key, answer(connection, keyType, key, response));
      }),
    );
    return results;
  }
  const request: RequestOf<typeof FindCoordinator> = { key: '', keyType: KEY_TYPES[keyType], coordinatorKeys: [...keys] };
  const response = await connection.request(FindCoordinator, request, { version });
  for (const coordinator of response.coordinators) results.set(coordinator.key, answer(connection, keyType, coordinator.key, coordinator));
  for (const key of keys) {
    if (!results.has(key)) {
      results.set(key, protocolError(ErrorCode.COORDINATOR_NOT_AVAILABLE, { ...context(connection, keyType, key), serverMessage: 'the response did not list this key' }));
    }
  }
  return results;
}

function answer(
  connection: BrokerConnection,
  keyType: CoordinatorKeyType,
  key: string,
  found: { errorCode: number; errorMessage: string | null; nodeId: number; host: string; port: number },
): CoordinatorAddress | KafkaProtocolError {
  if (found.errorCode !== 0) return protocolError(found.errorCode, { ...context(connection, keyType, key), serverMessage: found.errorMessage });
  return { nodeId: found.nodeId, host: found.host, port: found.port };
}

function context(connection: BrokerConnection, keyType: CoordinatorKeyType, key: string): ErrorContext {
  return keyType === 'group'
    ? { api: 'FindCoordinator', broker: connection.label, groupId: key }
    : { api: `FindCoordinator for transactional id ${key}`, broker: connection.label };
}
