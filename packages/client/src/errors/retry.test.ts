import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { type KafkaClientError, KafkaConnectionError, KafkaRetriesExhaustedError, protocolError } from './kafka-client-error.js';
import { backoffDelay, withRetry } from './retry.js';

const fast = { retryBackoffMs: 1, retryBackoffMaxMs: 4, retries: Infinity };

describe('backoffDelay', () => {
  it('staysWithinTwentyPercentOfTheCappedExponential', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 60_000 }), (attempt, base, extra) => {
        const options = { retryBackoffMs: base, retryBackoffMaxMs: base + extra, retries: Infinity };
        const expected = Math.min(base + extra, base * 2 ** attempt);
        const delay = backoffDelay(attempt, options);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(expected * 0.8));
        expect(delay).toBeLessThanOrEqual(Math.ceil(expected * 1.2));
      }),
    );
  });

  it('growsUntilTheCap', () => {
    const options = { retryBackoffMs: 100, retryBackoffMaxMs: 1000, retries: Infinity };
    const spy = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, options))).toEqual([100, 200, 400, 800, 1000, 1000]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('withRetry', () => {
  it('retriesRetriableErrorsAndCallsOnRetry', async () => {
    const onRetry = vi.fn();
    let calls = 0;
    const result = await withRetry(
      async (attempt) => {
        calls++;
        if (attempt < 2) throw protocolError(6, { topic: 't', partition: 0 });
        return 'done';
      },
      { ...fast, deadline: Date.now() + 5000, description: 'test', onRetry },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(onRetry.mock.calls.map(([error, attempt]) => [(error as KafkaClientError).message.split(' ')[0], attempt])).toEqual([
      ['NOT_LEADER_OR_FOLLOWER', 0],
      ['NOT_LEADER_OR_FOLLOWER', 1],
    ]);
  });

  it('rethrowsANonRetriableErrorAsItIs', async () => {
    const fatal = protocolError(29 /* TOPIC_AUTHORIZATION_FAILED */);
    const plain = new TypeError('bug');
    let calls = 0;
    await expect(withRetry(async () => (calls++, Promise.reject(fatal)), { ...fast, deadline: Date.now() + 5000, description: 'x' })).rejects.toBe(fatal);
    await expect(withRetry(async () => (calls++, Promise.reject(plain)), { ...fast, deadline: Date.now() + 5000, description: 'x' })).rejects.toBe(plain);
    expect(calls).toBe(2);
  });

  it('stopsAtTheDeadlineWithTheLastError', async () => {
    const started = Date.now();
    let last: unknown;
    const error = await withRetry(
      async (attempt) => {
        last = new KafkaConnectionError(`refused ${attempt}`);
        throw last;
      },
      { ...fast, deadline: started + 60, description: 'Metadata for orders' },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaRetriesExhaustedError);
    expect(error).toMatchObject({ retriable: false, cause: last });
    expect((error as Error).message).toMatch(/^Metadata for orders failed after \d+ attempts, its deadline reached: refused \d+$/);
    expect((error as KafkaRetriesExhaustedError).attempts).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('stopsAfterTheRetryBudget', async () => {
    let calls = 0;
    const error = await withRetry(async () => (calls++, Promise.reject(new KafkaConnectionError('down'))), {
      ...fast,
      retries: 2,
      deadline: Date.now() + 60_000,
      description: 'x',
    }).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(error).toMatchObject({ attempts: 3, name: 'KafkaRetriesExhaustedError' });
  });

  it('stopsWhenAborted', async () => {
    const controller = new AbortController();
    const reason = new Error('closing');
    const error = withRetry(
      async () => {
        queueMicrotask(() => controller.abort(reason));
        throw new KafkaConnectionError('down');
      },
      { ...fast, retryBackoffMs: 10_000, retryBackoffMaxMs: 10_000, deadline: Date.now() + 60_000, description: 'x', signal: controller.signal },
    );
    await expect(error).rejects.toBe(reason);
  });
});
