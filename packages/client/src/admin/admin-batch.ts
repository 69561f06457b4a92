// The loop behind every batch call: each attempt sends the items still
// pending, keeps what succeeded, sets aside what failed for good and tries
// the rest again after the backoff, until none is pending or the call's
// deadline passes. Items that succeed are never sent twice.
import { KafkaClientError, KafkaRetriesExhaustedError } from '../errors/index.js';
import { retrying } from './admin-call.js';
import type { AdminCall } from './admin-call.js';
import { AdminBatchError } from './admin-errors.js';
import type { AdminItemFailure } from './admin-errors.js';

/** What one attempt answered for one item; `final` skips the retry policy (the item cannot succeed). */
export type ItemOutcome<R> = { readonly value: R } | { readonly error: KafkaClientError; readonly final?: boolean };

export interface BatchSpec<I, R> {
  readonly items: readonly I[];
  /** How errors name an item: "orders", "orders-3", "group billing". */
  itemName(item: I): string;
  /** One attempt: an outcome for each pending item, in the order given (undefined: the answer left it out). */
  attempt(pending: readonly I[]): Promise<readonly (ItemOutcome<R> | undefined)[]>;
  /**
   * Whether an item's error is worth another attempt (default: the error's
   * own retriable flag); the place to invalidate what the error proved stale.
   */
  retryItem?(item: I, error: KafkaClientError): boolean | Promise<boolean>;
}

/** The results in item order, or an AdminBatchError listing every failed item. */
export async function runBatch<I, R>(call: AdminCall, spec: BatchSpec<I, R>): Promise<R[]> {
  const results = new Map<number, R>();
  const failures = new Map<number, KafkaClientError>();
  const lastErrors = new Map<number, KafkaClientError>();
  let pending = spec.items.map((_, index) => index);
  let exhausted: KafkaRetriesExhaustedError | undefined;
  try {
    await retrying(call, async () => {
      if (pending.length === 0) return;
      const outcomes = await spec.attempt(pending.map((index) => spec.items[index]!));
      const again: number[] = [];
      let retryCause: KafkaClientError | undefined;
      for (const [at, index] of pending.entries()) {
        const item = spec.items[index]!;
        const outcome = outcomes[at] ?? { error: missingAnswer(call.api, spec.itemName(item)) };
        if ('value' in outcome) {
          results.set(index, outcome.value);
        } else if (outcome.final !== true && (await (spec.retryItem?.(item, outcome.error) ?? outcome.error.retriable))) {
          again.push(index);
          lastErrors.set(index, outcome.error);
          retryCause ??= outcome.error;
        } else {
          failures.set(index, outcome.error);
        }
      }
      pending = again;
      if (retryCause !== undefined) throw retryCause;
    });
  } catch (error) {
    if (!(error instanceof KafkaRetriesExhaustedError)) throw error;
    exhausted = error;
    for (const index of pending) failures.set(index, lastErrors.get(index) ?? error);
  }
  if (failures.size === 0) return spec.items.map((_, index) => results.get(index)!);
  const listed: AdminItemFailure[] = [...failures.keys()].sort((a, b) => a - b).map((index) => ({ item: spec.itemName(spec.items[index]!), error: failures.get(index)! }));
  const succeeded = [...results.keys()].sort((a, b) => a - b).map((index) => results.get(index)!);
  throw new AdminBatchError<R>(call.api, listed, succeeded, exhausted);
}

function missingAnswer(api: string, item: string): KafkaClientError {
  return new KafkaClientError(`${api}: the broker's answer left out ${item}`, { retriable: false });
}
