// Sending one attempt of a batch call to the brokers its items belong to:
// the leader of a partition (ListOffsets, DeleteRecords), a group's
// coordinator, the broker a config resource names. Items that share a broker
// share one request; the requests to different brokers run side by side.
// A broker that cannot be found or reached fails only its own items, so the
// batch loop retries those and keeps the answers the other brokers gave.
import type { BrokerConnection } from '../connection/index.js';
import { KafkaClientError } from '../errors/index.js';
import type { ItemOutcome } from './admin-batch.js';
import { controllerOf, retrying } from './admin-call.js';
import type { AdminCall } from './admin-call.js';
import { controllerRetry } from './admin-retry-policy.js';

export async function sendPerBroker<I, R>(
  pending: readonly I[],
  /** The broker an item goes to; a throw fails that item with the error. */
  target: (item: I) => Promise<BrokerConnection>,
  /** One request to `broker` for `items`; an outcome per item, in their order. */
  send: (broker: BrokerConnection, items: readonly I[]) => Promise<readonly (ItemOutcome<R> | undefined)[]>,
): Promise<(ItemOutcome<R> | undefined)[]> {
  const outcomes: (ItemOutcome<R> | undefined)[] = new Array(pending.length);
  const byBroker = new Map<BrokerConnection, number[]>();
  const targets = await Promise.allSettled(pending.map(target));
  for (const [index, settled] of targets.entries()) {
    if (settled.status === 'rejected') {
      outcomes[index] = { error: asClientError(settled.reason) };
      continue;
    }
    const indexes = byBroker.get(settled.value) ?? [];
    indexes.push(index);
    byBroker.set(settled.value, indexes);
  }
  await Promise.all(
    [...byBroker].map(async ([broker, indexes]) => {
      try {
        const answers = await send(
          broker,
          indexes.map((index) => pending[index]!),
        );
        for (const [at, index] of indexes.entries()) outcomes[index] = answers[at];
      } catch (error) {
        const failure = { error: asClientError(error) };
        for (const index of indexes) outcomes[index] = failure;
      }
    }),
  );
  return outcomes;
}

/** One request for every pending item to one broker (the controller); a failure to reach it fails each item. */
export async function sendToOne<I, R>(
  pending: readonly I[],
  target: () => Promise<BrokerConnection>,
  send: (broker: BrokerConnection, items: readonly I[]) => Promise<readonly (ItemOutcome<R> | undefined)[]>,
): Promise<readonly (ItemOutcome<R> | undefined)[]> {
  try {
    return await send(await target(), pending);
  } catch (error) {
    const failure = { error: asClientError(error) };
    return pending.map(() => failure);
  }
}

/** A client error as it is; anything else (a bug, a decode failure) wrapped, not retriable. */
export function asClientError(error: unknown): KafkaClientError {
  if (error instanceof KafkaClientError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new KafkaClientError(message, { retriable: false, cause: error });
}

/**
 * One request to the controller for a call that is not per item (every
 * reassignment, an election of every partition): both are safe to repeat,
 * so any retriable error is tried again, the controller looked up afresh.
 */
export function atController<T>(call: AdminCall, send: (controller: BrokerConnection) => Promise<T>): Promise<T> {
  const lookAgain = controllerRetry(call.context);
  return retrying(
    call,
    async () => send(await controllerOf(call.context)),
    (error) => void lookAgain(undefined, error),
  );
}
