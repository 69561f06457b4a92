import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClusterClient } from '../cluster/index.js';
import { KafkaClientError } from '../errors/index.js';
import { runBatch } from './admin-batch.js';
import type { ItemOutcome } from './admin-batch.js';
import type { AdminCall } from './admin-call.js';
import { AdminBatchError } from './admin-errors.js';
import type { ResolvedAdminOptions } from './admin-options.js';

/** A call with no backoff and `retries` retries; its cluster is never touched by runBatch. */
function testCall(retries: number): AdminCall {
  const options = { retries, retryBackoffMs: 0, retryBackoffMaxMs: 0 } as ResolvedAdminOptions;
  return { context: { cluster: {} as ClusterClient, options }, api: 'Test', timeoutMs: 60_000, deadline: Date.now() + 60_000 };
}

type Answer = 'ok' | 'retriable' | 'final' | 'missing';

/** What an item answers at each attempt it is sent in; 'ok' once the script runs out. */
const scripts = fc.array(fc.array(fc.constantFrom<Answer>('ok', 'retriable', 'final', 'missing'), { maxLength: 4 }), { minLength: 0, maxLength: 6 });

function outcome(item: number, answer: Answer, sent: number): ItemOutcome<string> | undefined {
  switch (answer) {
    case 'ok':
      return { value: `result ${item}` };
    case 'retriable':
      return { error: new KafkaClientError(`item ${item} attempt ${sent}: later`, { retriable: true }) };
    case 'final':
      return { error: new KafkaClientError(`item ${item}: never`, { retriable: false }) };
    case 'missing':
      return undefined;
  }
}

describe('runBatch', () => {
  it('eachItemSentUntilItSettles: never again after a success or a final error; results in order, or every failure listed', async () => {
    await fc.assert(
      fc.asyncProperty(scripts, fc.integer({ min: 0, max: 5 }), async (itemScripts, retries) => {
        const items = itemScripts.map((_, i) => i);
        const sends = items.map(() => 0);
        const promise = runBatch(testCall(retries), {
          items,
          itemName: (i) => `item ${i}`,
          attempt: async (pending) =>
            pending.map((item) => {
              const answer = itemScripts[item]![sends[item]!] ?? 'ok';
              sends[item]!++;
              return outcome(item, answer, sends[item]!);
            }),
        });
        const settled = await promise.then(
          (results) => ({ results }),
          (error: unknown) => ({ error }),
        );

        // The model: an item is sent while it answers 'retriable' and the retries last.
        const expected = items.map((item) => {
          const script = itemScripts[item]!;
          const firstSettling = script.findIndex((a) => a !== 'retriable');
          const settlingAt = firstSettling === -1 ? script.length : firstSettling;
          if (settlingAt > retries) return { sends: retries + 1, failed: true, exhausted: true };
          const answer = script[settlingAt] ?? 'ok';
          return { sends: settlingAt + 1, failed: answer !== 'ok', exhausted: false };
        });
        expect(sends).toEqual(expected.map((e) => e.sends));
        const failed = items.filter((item) => expected[item]!.failed);
        if (failed.length === 0) {
          expect(settled).toEqual({ results: items.map((i) => `result ${i}`) });
          return;
        }
        expect('error' in settled && settled.error).toBeInstanceOf(AdminBatchError);
        const error = (settled as { error: AdminBatchError<string> }).error;
        expect(error.failures.map((f) => f.item)).toEqual(failed.map((i) => `item ${i}`));
        expect(error.succeeded).toEqual(items.filter((i) => !expected[i]!.failed).map((i) => `result ${i}`));
        expect(error.exhausted !== undefined).toBe(items.some((i) => expected[i]!.exhausted));
        for (const f of error.failures) expect(error.message).toContain(f.item);
      }),
      { numRuns: 200 },
    );
  });

  it('retriesOnlyWhatThePolicyAllows: a retriable error the policy calls final is not sent again', async () => {
    let sends = 0;
    const failing = runBatch(testCall(5), {
      items: ['orders'],
      itemName: (t) => t,
      retryItem: () => false,
      attempt: async () => {
        sends++;
        return [{ error: new KafkaClientError('later', { retriable: true }) }];
      },
    });
    await expect(failing).rejects.toBeInstanceOf(AdminBatchError);
    expect(sends).toBe(1);
  });

  it('aFailedAttemptRetriesTheSameItems: a retriable throw of the whole attempt (a closed connection) sends them again', async () => {
    const sent: string[][] = [];
    const results = await runBatch(testCall(3), {
      items: ['a', 'b'],
      itemName: (t) => t,
      attempt: async (pending) => {
        sent.push([...pending]);
        if (sent.length === 1) throw new KafkaClientError('connection closed', { retriable: true });
        return pending.map((item) => ({ value: item.toUpperCase() }));
      },
    });
    expect(results).toEqual(['A', 'B']);
    expect(sent).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('aNonRetriableThrowIsTheCallsError: thrown as itself, not wrapped', async () => {
    const unsupported = new KafkaClientError('no version in common', { retriable: false });
    await expect(runBatch(testCall(3), { items: [1], itemName: String, attempt: async () => Promise.reject(unsupported) })).rejects.toBe(unsupported);
  });

  it('noItems: resolves with none and sends nothing', async () => {
    let sends = 0;
    expect(await runBatch(testCall(0), { items: [], itemName: String, attempt: async () => (sends++, []) })).toEqual([]);
    expect(sends).toBe(0);
  });
});
