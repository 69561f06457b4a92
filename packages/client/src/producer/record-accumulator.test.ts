import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferMemory } from './buffer-memory.js';
import type { ProducerBatch } from './producer-batch.js';
import { RecordAccumulator, type DrainContext, type PartitionQueue } from './record-accumulator.js';
import { SendCall } from './send-call.js';

function accumulator(batchSize = 100, lingerMs = 5, memory = 1 << 20): RecordAccumulator {
  return new RecordAccumulator({ batchSize, lingerMs }, new BufferMemory(memory));
}

function context(now: number, overrides: Partial<DrainContext> = {}): DrainContext {
  return {
    now,
    flushing: false,
    leaderOf: (queue) => queue.partition % 2,
    requestSlots: () => 5,
    maxInFlightPerPartition: 5,
    maxRequestSize: 1 << 20,
    ...overrides,
  };
}

const record = (n: number) => ({ key: null, value: Buffer.from([n & 0xff]), timestamp: 1000 });

function appendMany(acc: RecordAccumulator, queue: PartitionQueue, count: number, bytes: number, call: SendCall, now = 0): void {
  for (let i = 0; i < count; i++) {
    acc.memory.tryReserve(bytes);
    acc.append(queue, record(i), bytes, call, i, now);
  }
}

describe('RecordAccumulator', () => {
  it('closesABatchAtBatchSize', () => {
    const acc = accumulator(100);
    const queue = acc.queue('t', 0);
    const call = new SendCall(5, false);
    appendMany(acc, queue, 5, 30, call);
    expect(queue.batches.map((b) => b.recordCount)).toEqual([3, 2]);
    expect(queue.batches[0]!.closed).toBe(true);
    expect(queue.batches[1]!.closed).toBe(false);
  });

  it('aRecordLargerThanBatchSizeGetsABatchOfItsOwn', () => {
    const acc = accumulator(100);
    const queue = acc.queue('t', 0);
    const call = new SendCall(2, false);
    appendMany(acc, queue, 2, 500, call);
    expect(queue.batches.map((b) => b.recordCount)).toEqual([1, 1]);
  });

  it('anOpenBatchWaitsForLinger', () => {
    const acc = accumulator(100, 5);
    const queue = acc.queue('t', 0);
    appendMany(acc, queue, 1, 10, new SendCall(1, true), 1000);
    const early = acc.drain(context(1003));
    expect(early.requests).toEqual([]);
    expect(early.nextCheckAt).toBe(1005);
    expect(acc.drain(context(1005)).requests.map((r) => r.batches.length)).toEqual([1]);
  });

  it('flushingSendsOpenBatchesAtOnce', () => {
    const acc = accumulator(100, 10_000);
    appendMany(acc, acc.queue('t', 0), 1, 10, new SendCall(1, true), 1000);
    expect(acc.drain(context(1000, { flushing: true })).requests).toHaveLength(1);
  });

  it('drainsOneBatchPerPartitionPerRequestGroupedByLeader', () => {
    const acc = accumulator(10);
    for (let p = 0; p < 4; p++) appendMany(acc, acc.queue('t', p), 3, 10, new SendCall(3, false));
    const { requests } = acc.drain(context(0));
    // Leaders 0 (partitions 0, 2) and 1 (partitions 1, 3); 3 full batches per partition, pipelined.
    expect(requests).toHaveLength(6);
    for (const request of requests) {
      expect(new Set(request.batches.map((b) => b.partition)).size).toBe(request.batches.length);
      expect(request.batches.every((b) => b.partition % 2 === request.leader)).toBe(true);
    }
  });

  it('keepsToMaxRequestSizeButAlwaysSendsOneBatch', () => {
    const acc = accumulator(1000);
    for (let p = 0; p < 3; p++) appendMany(acc, acc.queue('t', p), 1, 900, new SendCall(1, true));
    const { requests } = acc.drain(context(10, { leaderOf: () => 1, maxRequestSize: 1000 }));
    expect(requests.map((r) => r.batches.length)).toEqual([1, 1, 1]);
  });

  it('respectsRequestSlotsAndInFlightPerPartition', () => {
    const acc = accumulator(10);
    const queue = acc.queue('t', 0);
    appendMany(acc, queue, 4, 10, new SendCall(4, false));
    const first = acc.drain(context(0, { maxInFlightPerPartition: 1 }));
    expect(first.requests).toHaveLength(1);
    expect(queue.inFlight).toBe(1);
    expect(acc.drain(context(0, { maxInFlightPerPartition: 1 })).requests).toHaveLength(0);
    expect(acc.drain(context(0, { requestSlots: () => 0 })).requests).toHaveLength(0);
  });

  it('aRetryGoesBackInCreationOrderAndWaitsForItsPartition', () => {
    const acc = accumulator(10);
    const queue = acc.queue('t', 0);
    appendMany(acc, queue, 3, 10, new SendCall(3, false));
    const sent = acc.drain(context(0, { requestSlots: () => 2 })).requests.map((r) => r.batches[0]!);
    expect(queue.inFlight).toBe(2);
    const [first, second] = sent as [ProducerBatch, ProducerBatch];
    second.attempts = 1;
    acc.reenqueue(second, queue);
    first.attempts = 1;
    acc.reenqueue(first, queue);
    expect(queue.batches.map((b) => b.id)).toEqual([first.id, second.id, first.id + 2]);
    first.retryAt = 50;
    expect(acc.drain(context(10)).nextCheckAt).toBe(50);
    const retried = acc.drain(context(50)).requests.map((r) => r.batches[0]!.id);
    expect(retried[0]).toBe(first.id);
  });

  it('expiresQueuedBatchesAndReleasesTheirMemory', () => {
    const acc = accumulator(10, 5, 100);
    const queue = acc.queue('t', 0);
    const call = new SendCall(2, false);
    appendMany(acc, queue, 2, 10, call, 0);
    expect(acc.memory.availableBytes).toBe(80);
    const { expired, nextExpiryAt } = acc.expire(1000, 1000);
    expect(expired).toHaveLength(2);
    expect(nextExpiryAt).toBe(Infinity);
    expect(acc.memory.availableBytes).toBe(100);
    expect(acc.incomplete.size).toBe(0);
  });

  it('everyRecordEndsInExactlyOneBatchInSendOrderPerPartition', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.record({ partition: fc.integer({ min: 0, max: 3 }), bytes: fc.integer({ min: 1, max: 120 }), drainAfter: fc.boolean(), retry: fc.boolean() }), {
          maxLength: 200,
        }),
        (batchSize, lingerMs, appends) => {
          const acc = accumulator(batchSize, lingerMs);
          const call = new SendCall(appends.length, false);
          const sent: ProducerBatch[] = [];
          const order: ProducerBatch[] = [];
          const queues = new Map<ProducerBatch, PartitionQueue>();
          let now = 0;
          const drain = (flushing: boolean) => {
            for (const request of acc.drain(context(now, { flushing })).requests) {
              for (const batch of request.batches) {
                queues.set(batch, acc.queue('t', batch.partition));
                sent.push(batch);
              }
            }
          };
          appends.forEach((a, slot) => {
            acc.memory.tryReserve(a.bytes);
            acc.append(acc.queue('t', a.partition), { key: null, value: Buffer.from(String(slot)), timestamp: now }, a.bytes, call, slot, now);
            now += 1;
            if (a.drainAfter) drain(false);
            if (a.retry && sent.length > 0) {
              // The latest sent batch of some partition fails and is retried: the partition's in-flight ones come back first.
              const batch = sent.pop()!;
              batch.attempts++;
              acc.reenqueue(batch, queues.get(batch)!);
              for (let i = sent.length - 1; i >= 0; i--) {
                if (sent[i]!.partition === batch.partition) {
                  const earlier = sent.splice(i, 1)[0]!;
                  earlier.attempts++;
                  acc.reenqueue(earlier, queues.get(earlier)!);
                }
              }
            }
          });
          for (let round = 0; round < 1000 && acc.incomplete.size > 0; round++) {
            drain(true);
            for (const batch of sent.splice(0)) {
              acc.finished(batch, queues.get(batch));
              order.push(batch);
            }
          }
          expect(acc.incomplete.size).toBe(0);
          const seen = new Map<number, number[]>();
          for (const batch of order) {
            const slots = seen.get(batch.partition) ?? [];
            for (const r of batch.records) slots.push(Number(r.value!.toString()));
            seen.set(batch.partition, slots);
          }
          for (let p = 0; p < 4; p++) {
            const expected = appends.flatMap((a, slot) => (a.partition === p ? [slot] : []));
            expect(seen.get(p) ?? []).toEqual(expected);
          }
        },
      ),
    );
  });
});
