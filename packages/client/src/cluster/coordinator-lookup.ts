// FindCoordinator: which broker coordinates a consumer group or a
// transactional id. v4+ (KIP-699) carries a list of keys; the client asks for
// one key per request and shares concurrent lookups of the same key.
import { FindCoordinator, type RequestOf, type ResponseOf } from '@kstream/protocol';
import { throwIfError } from '../errors/kafka-client-error.js';
import type { BrokerConnection } from '../connection/broker-connection.js';

export type CoordinatorKeyType = 'group' | 'transaction';

const KEY_TYPES: Record<CoordinatorKeyType, number> = { group: 0, transaction: 1 };

export interface CoordinatorAddress {
  nodeId: number;
  host: string;
  port: number;
}

/** Asks `connection` for the coordinator of `key`; a Kafka error (COORDINATOR_NOT_AVAILABLE, ...) is thrown as KafkaProtocolError. */
export async function findCoordinator(connection: BrokerConnection, keyType: CoordinatorKeyType, key: string): Promise<CoordinatorAddress> {
  const version = connection.version(FindCoordinator);
  const batched = version >= 4;
  const request: RequestOf<typeof FindCoordinator> = {
    key: batched ? '' : key,
    keyType: KEY_TYPES[keyType],
    coordinatorKeys: batched ? [key] : [],
  };
  const response: ResponseOf<typeof FindCoordinator> = await connection.request(FindCoordinator, request, { version });
  const answer = batched ? response.coordinators.find((c) => c.key === key) : response;
  const context = {
    api: 'FindCoordinator',
    broker: connection.label,
    ...(keyType === 'group' ? { groupId: key } : {}),
  };
  if (answer === undefined) throwIfError(15 /* COORDINATOR_NOT_AVAILABLE */, { ...context, serverMessage: `no coordinator listed for ${keyType} ${key}` });
  throwIfError(answer!.errorCode, { ...context, serverMessage: answer!.errorMessage });
  return { nodeId: answer!.nodeId, host: answer!.host, port: answer!.port };
}
