import { describe, expect, it } from 'vitest';
import type { Consumer as ClientConsumer, ConsumerBatch, ConsumerRecord, TopicPartition } from '../consumer/index.js';
import { ResolvedOffsets } from './consumer-offsets.js';
import { rewindUnfinished, runBatch, runBatches, type RunnerHost } from './consumer-runner.js';
import { InstrumentationEmitter } from './instrumentation.js';
import { createLogger } from './logger.js';
import { logLevel } from './constants.js';
import type { ConsumerEvents, EachBatchPayload } from './types-consumer.js';

const EVENTS = { START_BATCH_PROCESS: 'consumer.start_batch_process', END_BATCH_PROCESS: 'consumer.end_batch_process' } as unknown as ConsumerEvents;

function batch(partition: number, from: bigint, count: number): ConsumerBatch<Buffer, Buffer> {
  const records = Array.from(
    { length: count },
    (_, i): ConsumerRecord<Buffer, Buffer> => ({ topic: 't', partition, offset: from + BigInt(i), timestamp: 0, leaderEpoch: 0, key: null, value: null, headers: [] }),
  );
  return { topic: 't', partition, records, highWatermark: from + BigInt(count), lastStableOffset: from + BigInt(count), logStartOffset: 0n };
}

/** A runner host over a scripted client consumer that records seeks, pauses and commits. */
function host(options: { assigned?: TopicPartition[] } = {}) {
  const seeks: string[] = [];
  const paused: string[] = [];
  const epochs = new Map<number, number>();
  let running = true;
  let commits = 0;
  const client = {
    seek: (p: TopicPartition, offset: bigint) => void seeks.push(`${p.partition}@${offset}`),
    pause: (ps: TopicPartition[]) => void paused.push(...ps.map((p) => `pause ${p.partition}`)),
    resume: (ps: TopicPartition[]) => void paused.push(...ps.map((p) => `resume ${p.partition}`)),
    assignment: () => options.assigned ?? [0, 1, 2, 3].map((partition) => ({ topic: 't', partition })),
  } as unknown as ClientConsumer<Buffer, Buffer>;
  const offsets = new ResolvedOffsets({ autoCommit: true, autoCommitInterval: null, autoCommitThreshold: null });
  const runner: RunnerHost = {
    client,
    offsets,
    emitter: new InstrumentationEmitter(EVENTS as unknown as Record<string, string>, createLogger({ level: logLevel.NOTHING })) as unknown as RunnerHost['emitter'],
    events: EVENTS,
    running: () => running,
    partitionEpoch: (_topic, partition) => epochs.get(partition) ?? 0,
    commit: async () => {},
    commitIfDue: async () => {
      commits++;
    },
  };
  return {
    runner,
    offsets,
    seeks,
    paused,
    stop: () => (running = false),
    bump: (partition: number) => epochs.set(partition, (epochs.get(partition) ?? 0) + 1),
    commits: () => commits,
  };
}

describe('runBatch', () => {
  it('eachMessageResolvesAsItGoes; a throw seeks back to the failed message', async () => {
    const h = host();
    const error = await runBatch(
      h.runner,
      {
        eachMessage: async ({ message }) => {
          if (message.offset === '12') throw new Error('boom');
        },
      },
      batch(0, 10n, 5),
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe('boom');
    expect(h.offsets.next('t', 0)).toBe(12n);
    expect(h.seeks).toEqual(['0@12']);
  });

  it('aFinishedBatchNeedsNoSeek and is committed if due', async () => {
    const h = host();
    await runBatch(h.runner, { eachMessage: async () => {} }, batch(0, 10n, 5));
    expect(h.seeks).toEqual([]);
    expect(h.offsets.next('t', 0)).toBe(15n);
    expect(h.commits()).toBe(1);
  });

  it('eachBatchWithoutAutoResolveGoesOnFromTheLastResolved, as kafkajs fetches from it', async () => {
    const h = host();
    await runBatch(h.runner, { eachBatchAutoResolve: false, eachBatch: async ({ resolveOffset }: EachBatchPayload) => resolveOffset('11') }, batch(1, 10n, 5));
    expect(h.seeks).toEqual(['1@12']);
    const none = host();
    await runBatch(none.runner, { eachBatchAutoResolve: false, eachBatch: async () => {} }, batch(1, 10n, 5));
    expect(none.seeks).toEqual(['1@10']);
    const auto = host();
    await runBatch(auto.runner, { eachBatch: async () => {} }, batch(1, 10n, 5));
    expect([auto.seeks, auto.offsets.next('t', 1)]).toEqual([[], 15n]);
  });

  it('pauseStopsTheBatchAfterTheCurrentMessageAndItsResumeLetsGo', async () => {
    const h = host();
    let resume: (() => void) | undefined;
    await runBatch(
      h.runner,
      {
        eachMessage: async ({ message, pause }) => {
          if (message.offset === '11') resume = pause();
        },
      },
      batch(2, 10n, 5),
    );
    expect([h.offsets.next('t', 2), h.seeks, h.paused]).toEqual([12n, ['2@12'], ['pause 2']]);
    expect(h.commits()).toBe(0);
    resume!();
    expect(h.paused).toEqual(['pause 2', 'resume 2']);
  });

  it('aStaleBatchStopsWithoutResolvingOrSeeking: its partition was sought or moved meanwhile', async () => {
    const h = host();
    await runBatch(
      h.runner,
      {
        eachMessage: async ({ message }) => {
          if (message.offset === '11') h.bump(3);
        },
      },
      batch(3, 10n, 5),
    );
    expect([h.offsets.next('t', 3), h.seeks]).toEqual([11n, []]);
    const b = host();
    let resolvedAfter = false;
    await runBatch(
      b.runner,
      {
        eachBatch: async ({ resolveOffset, isStale }) => {
          b.bump(3);
          resolveOffset('12');
          resolvedAfter = isStale();
        },
      },
      batch(3, 10n, 5),
    );
    expect([resolvedAfter, b.offsets.next('t', 3), b.seeks]).toEqual([true, undefined, []]);
  });
});

describe('runBatches', () => {
  it('partitionsConsumedConcurrently: partitions in parallel up to the limit, one partition in order', async () => {
    const h = host();
    let inFlight = 0;
    let most = 0;
    const order: string[] = [];
    await runBatches(
      h.runner,
      {
        eachMessage: async ({ partition, message }) => {
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 2));
          order.push(`${partition}@${message.offset}`);
          inFlight--;
        },
      },
      [batch(0, 0n, 3), batch(1, 0n, 3), batch(2, 0n, 3), batch(0, 3n, 2), batch(3, 0n, 1)],
      2,
    );
    expect(most).toBe(2);
    expect(order.filter((m) => m.startsWith('0@'))).toEqual(['0@0', '0@1', '0@2', '0@3', '0@4']);
    expect(order).toHaveLength(12);
  });

  it('aFailureStopsTheOthersAndRewindUnfinishedPutsEveryPartitionBackAtItsFirstUnresolvedOffset', async () => {
    const h = host({ assigned: [0, 1].map((partition) => ({ topic: 't', partition })) });
    const batches = [batch(0, 0n, 3), batch(1, 0n, 3), batch(0, 3n, 3), batch(2, 0n, 3)];
    const error = await runBatches(
      h.runner,
      {
        eachMessage: async ({ partition, message }) => {
          if (partition === 0 && message.offset === '1') throw new Error('boom');
        },
      },
      batches,
      1,
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe('boom');
    rewindUnfinished(h.runner, batches);
    // Partition 0 back at its failed message (its second batch does not move it again); 1 never started; 2 is no longer ours.
    expect(h.seeks).toEqual(['0@1', '0@1', '1@0']);
  });
});
