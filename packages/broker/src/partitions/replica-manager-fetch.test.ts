import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ZERO_UUID, readBatchHeader } from '@kstream/protocol';
import type { FetchPartitionParams } from './fetch-session.js';
import { partitionKey } from '@kstream/replication';
import { assignment, batch, openManager } from './partitions.test-support.js';
import type { FetchParams } from './replica-manager.js';
import { producerBatch } from '../txn/txn-batches.test-support.js';

function part(topic: string, fetchOffset: bigint, partitionMaxBytes = 1 << 20, partition = 0): FetchPartitionParams {
  return { topic, topicId: ZERO_UUID, partition, fetchOffset, partitionMaxBytes, currentLeaderEpoch: -1 };
}

function fetchOf(partitions: FetchPartitionParams[], options: Partial<FetchParams> = {}): FetchParams {
  return { maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, readCommitted: false, partitions, ...options };
}

/** Base offsets of the batches in `records`. */
function baseOffsets(records: Buffer): bigint[] {
  const offsets: bigint[] = [];
  for (let position = 0; position < records.length; ) {
    const header = readBatchHeader(records, position)!;
    offsets.push(header.baseOffset);
    position += header.sizeInBytes;
  }
  return offsets;
}

describe('ReplicaManager fetch', () => {
  it('readsBelowHighWatermark: returns whole batches from the fetch offset with the offsets the partition knows', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders'));
    for (const values of [['a', 'b'], ['c'], ['d', 'e', 'f']]) await manager.appendRecords('orders', 0, await batch(values), 1, 1000);
    const [result] = await manager.fetchMessages(fetchOf([part('orders', 2n)]));
    expect(result).toMatchObject({ errorCode: 0, highWatermark: 6n, lastStableOffset: 6n, logStartOffset: 0n });
    expect(baseOffsets(result!.records)).toEqual([2n, 3n]);
  });

  it('longPollWokenByAppend: a parked fetch answers as soon as an append brings minBytes, well before maxWaitMs', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders'));
    const started = Date.now();
    const parked = manager.fetchMessages(fetchOf([part('orders', 0n)], { maxWaitMs: 10_000, minBytes: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(manager.purgatory.watching(partitionKey('orders', 0))).toBe(1);
    await manager.appendRecords('orders', 0, await batch(['woken']), 1, 1000);
    const [result] = await parked;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(baseOffsets(result!.records)).toEqual([0n]);
    expect(manager.purgatory.watching(partitionKey('orders', 0))).toBe(0);
  });

  it('readCommittedParkedBehindOpenTransaction: appends while a transaction is open wake read_uncommitted fetches but leave read_committed ones parked until the marker', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders'));
    await manager.appendRecords('orders', 0, await producerBatch(['t1'], { producerId: 9n, baseSequence: 0, transactional: true }), 1, 1000);
    let answered = false;
    const committed = manager.fetchMessages(fetchOf([part('orders', 0n)], { maxWaitMs: 10_000, minBytes: 1, readCommitted: true })).then((r) => {
      answered = true;
      return r;
    });
    const uncommitted = manager.fetchMessages(fetchOf([part('orders', 1n)], { maxWaitMs: 10_000, minBytes: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await manager.appendRecords('orders', 0, await producerBatch(['t2'], { producerId: 9n, baseSequence: 1, transactional: true }), 1, 1000);
    await manager.appendRecords('orders', 0, await batch(['plain']), 1, 1000);
    expect(baseOffsets((await uncommitted)[0]!.records)).toEqual([1n]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    expect(manager.purgatory.watching(partitionKey('orders', 0))).toBe(1);

    const [written] = await manager.writeTxnMarkers(
      [{ producerId: 9n, producerEpoch: 0, coordinatorEpoch: 0, commit: true, partitions: [{ topic: 'orders', partition: 0 }] }],
      1000,
    );
    expect(written![0]!.errorCode).toBe(ErrorCode.NONE);
    const [result] = await committed;
    expect(result!.lastStableOffset).toBe(4n);
    expect(baseOffsets(result!.records)).toEqual([0n, 1n, 2n, 3n]);
  });

  it('longPollWaitsForMinBytes: appends smaller than minBytes keep the fetch parked until enough arrive', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders'));
    const one = await batch(['x']);
    let answered = false;
    const parked = manager.fetchMessages(fetchOf([part('orders', 0n)], { maxWaitMs: 10_000, minBytes: one.length * 3 })).then((r) => {
      answered = true;
      return r;
    });
    await manager.appendRecords('orders', 0, await batch(['x']), 1, 1000);
    await manager.appendRecords('orders', 0, await batch(['x']), 1, 1000);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(answered).toBe(false);
    await manager.appendRecords('orders', 0, await batch(['x']), 1, 1000);
    const [result] = await parked;
    expect(baseOffsets(result!.records)).toEqual([0n, 1n, 2n]);
  });

  it('longPollTimeout: with nothing appended the fetch answers empty after maxWaitMs', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders'));
    const started = Date.now();
    const [result] = await manager.fetchMessages(fetchOf([part('orders', 0n)], { maxWaitMs: 150, minBytes: 1 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(result).toMatchObject({ errorCode: 0, highWatermark: 0n });
    expect(result!.records.length).toBe(0);
    expect(manager.purgatory.watching(partitionKey('orders', 0))).toBe(0);
  });

  it('longPollEndsOnDeletion: deleting the topic completes a parked fetch, which then answers the partition unknown', async () => {
    const manager = await openManager();
    const orders = assignment('orders');
    await manager.applyAssignment(orders);
    const parked = manager.fetchMessages(fetchOf([part('orders', 0n)], { maxWaitMs: 10_000 }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await manager.removeTopic(orders.state.topicId);
    const [result] = await parked;
    expect(result!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('dataBesideEndAnswersAtOnce: a partition at its end beside one with data does not hold the fetch back; minBytes is met, so it answers without waiting', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('idle'));
    await manager.applyAssignment(assignment('busy'));
    await manager.appendRecords('idle', 0, await batch(['old']), 1, 1000);
    await manager.appendRecords('busy', 0, await batch(['a', 'b']), 1, 1000);
    const started = Date.now();
    const [idle, busy] = await manager.fetchMessages(fetchOf([part('idle', 1n), part('busy', 0n)], { maxWaitMs: 10_000, minBytes: 1 }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(idle).toMatchObject({ errorCode: 0, highWatermark: 1n });
    expect(idle!.records.length).toBe(0);
    expect(baseOffsets(busy!.records)).toEqual([0n]);
    expect(manager.purgatory.watching(partitionKey('idle', 0)) + manager.purgatory.watching(partitionKey('busy', 0))).toBe(0);
  });

  it("allAtEndBoundedByMaxWait: a fetch whose partitions are all at their end (a consumer's last fetch) answers empty after maxWaitMs, not later", async () => {
    const manager = await openManager();
    for (const topic of ['a', 'b']) {
      await manager.applyAssignment(assignment(topic));
      await manager.appendRecords(topic, 0, await batch(['r']), 1, 1000);
    }
    const started = Date.now();
    const results = await manager.fetchMessages(fetchOf([part('a', 1n), part('b', 1n)], { maxWaitMs: 200, minBytes: 1 }));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1_500);
    expect(results.map((r) => [r.errorCode, r.highWatermark, r.records.length])).toEqual([
      [0, 1n, 0],
      [0, 1n, 0],
    ]);
  });

  it('errorAnswersAtOnce: a partition error answers the fetch without waiting, other partitions still read', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders'));
    await manager.appendRecords('orders', 0, await batch(['a']), 1, 1000);
    const started = Date.now();
    const [missing, orders] = await manager.fetchMessages(fetchOf([part('missing', 0n), part('orders', 0n)], { maxWaitMs: 10_000, minBytes: 1 << 20 }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(missing!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(missing).toMatchObject({ highWatermark: -1n, logStartOffset: -1n });
    expect(baseOffsets(orders!.records)).toEqual([0n]);
  });

  it('firstBatchLargerThanMaxBytes: the first batch comes whole over both limits; a later partition gets nothing once the response is full', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('big'));
    await manager.applyAssignment(assignment('next'));
    const big = await batch(['y'.repeat(500)]);
    await manager.appendRecords('big', 0, big, 1, 1000);
    await manager.appendRecords('big', 0, await batch(['y'.repeat(500)]), 1, 1000);
    await manager.appendRecords('next', 0, await batch(['z']), 1, 1000);
    const [first, second] = await manager.fetchMessages(fetchOf([part('big', 0n, 100), part('next', 0n, 100)], { maxBytes: 100 }));
    expect(first!.records.length).toBe(big.length);
    expect(baseOffsets(first!.records)).toEqual([0n]);
    expect(second!.records.length).toBe(0);
    expect(second!.errorCode).toBe(0);
  });

  it('partitionMaxBytes: each partition stops at its own limit, the response limit shared by all', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('a'));
    await manager.applyAssignment(assignment('b'));
    const size = (await batch(['v'])).length;
    for (let i = 0; i < 5; i++) {
      await manager.appendRecords('a', 0, await batch(['v']), 1, 1000);
      await manager.appendRecords('b', 0, await batch(['v']), 1, 1000);
    }
    const [a, b] = await manager.fetchMessages(fetchOf([part('a', 0n, size * 2), part('b', 0n, size * 4)], { maxBytes: size * 5 }));
    expect(baseOffsets(a!.records)).toEqual([0n, 1n]);
    expect(baseOffsets(b!.records)).toEqual([0n, 1n, 2n]);
  });

  it('offsetOutOfRange: below the log start or past the log end answers OFFSET_OUT_OF_RANGE with the log start offset and high watermark', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders'));
    for (let i = 0; i < 4; i++) await manager.appendRecords('orders', 0, await batch(['r']), 1, 1000);
    await manager.deleteRecords('orders', 0, 2n);
    for (const offset of [1n, 5n]) {
      const [result] = await manager.fetchMessages(fetchOf([part('orders', offset)]));
      expect(result).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, logStartOffset: 2n, highWatermark: 4n });
    }
    const [atEnd] = await manager.fetchMessages(fetchOf([part('orders', 4n)]));
    expect(atEnd).toMatchObject({ errorCode: 0, highWatermark: 4n });
  });

  it('fencedLeaderEpoch: an older leader epoch is FENCED_LEADER_EPOCH, a newer one UNKNOWN_LEADER_EPOCH', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders', { leaderEpoch: 3 }));
    const [older] = await manager.fetchMessages(fetchOf([{ ...part('orders', 0n), currentLeaderEpoch: 2 }]));
    const [newer] = await manager.fetchMessages(fetchOf([{ ...part('orders', 0n), currentLeaderEpoch: 4 }]));
    const [same] = await manager.fetchMessages(fetchOf([{ ...part('orders', 0n), currentLeaderEpoch: 3 }]));
    expect([older!.errorCode, newer!.errorCode, same!.errorCode]).toEqual([ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.UNKNOWN_LEADER_EPOCH, 0]);
  });

  it('readsStopAtHighWatermark: with a follower in the ISR appended batches stay invisible to consumers', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('replicated', { replicas: [1, 2], isr: [1, 2] }));
    await manager.appendRecords('replicated', 0, await batch(['hidden']), 1, 1000);
    const [result] = await manager.fetchMessages(fetchOf([part('replicated', 0n)]));
    expect(result).toMatchObject({ errorCode: 0, highWatermark: 0n });
    expect(result!.records.length).toBe(0);
  });

  it("byteLimitsAsKafka: whole batches within each partition's limit and what the response has left; only the first batch of the first partition with data may exceed them", async () => {
    const manager = await openManager();
    let round = 0;
    const partitionArb = fc.record({
      valueSizes: fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 4 }),
      /** The fetch offset: past the last batch means at the partition's end. */
      start: fc.integer({ min: 0, max: 2 }),
      partitionMaxBytes: fc.integer({ min: 1, max: 1000 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(partitionArb, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 1500 }), async (partitions, maxBytes) => {
        round++;
        const requested: FetchPartitionParams[] = [];
        const batchSizes: number[][] = [];
        for (const [i, spec] of partitions.entries()) {
          const topic = `limits-${round}-${i}`;
          await manager.applyAssignment(assignment(topic));
          const sizes: number[] = [];
          for (const size of spec.valueSizes) {
            const records = await batch(['v'.repeat(size)]);
            sizes.push(records.length);
            await manager.appendRecords(topic, 0, records, 1, 1000);
          }
          const fetchOffset = Math.min(spec.start, sizes.length);
          requested.push(part(topic, BigInt(fetchOffset), spec.partitionMaxBytes));
          batchSizes.push(sizes.slice(fetchOffset));
        }
        const results = await manager.fetchMessages(fetchOf(requested, { maxBytes }));

        // Kafka's ReplicaManager.readFromLog over one-record batches: each partition reads within
        // min(its limit, what is left), and until one returns data the first batch comes whole.
        let remaining = maxBytes;
        let minOneMessage = true;
        const expected = batchSizes.map((sizes, i) => {
          const limit = Math.min(requested[i]!.partitionMaxBytes, remaining);
          let bytes = 0;
          let count = 0;
          while (count < sizes.length && (bytes + sizes[count]! <= limit || (minOneMessage && count === 0))) bytes += sizes[count++]!;
          if (count > 0) {
            minOneMessage = false;
            remaining = Math.max(0, remaining - bytes);
          }
          return Array.from({ length: count }, (_, k) => requested[i]!.fetchOffset + BigInt(k));
        });
        expect(results.map((r) => baseOffsets(r.records))).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });
});
