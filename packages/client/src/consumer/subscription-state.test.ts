import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConsumerRecord } from './consumer-record.js';
import { consumedPosition, SubscriptionState, type CompletedFetch, type PartitionState } from './subscription-state.js';

const LIMIT = 100;
const p0 = { topic: 't', partition: 0 };
const p1 = { topic: 't', partition: 1 };

let sequence = 0;
/** A fetched chunk of `count` records starting at the partition's fetch position. */
function completed(state: PartitionState<Buffer, Buffer>, count: number, bytes = 10): CompletedFetch<Buffer, Buffer> {
  const from = state.fetchPosition!;
  const records = Array.from({ length: count }, (_, i) => ({ offset: from + BigInt(i), leaderEpoch: 1 }) as ConsumerRecord);
  return {
    state,
    batch: { topic: state.topic, partition: state.partition, records, highWatermark: 0n, lastStableOffset: 0n, logStartOffset: 0n },
    nextOffset: from + BigInt(count),
    nextEpoch: 1,
    bytes,
    sequence: sequence++,
  };
}

function assigned(): SubscriptionState<Buffer, Buffer> {
  const subscriptions = new SubscriptionState<Buffer, Buffer>(LIMIT);
  subscriptions.assign([p0, p1], (state) => subscriptions.seek(state, 0n));
  return subscriptions;
}

describe('SubscriptionState', () => {
  it('reassignKeepsPositionsOfPartitionsKept', () => {
    const subscriptions = assigned();
    subscriptions.seek(subscriptions.require(p0), 7n);
    subscriptions.assign([p0, { topic: 't', partition: 2 }], (state) => (state.resetStrategy = 'earliest'));
    expect(subscriptions.require(p0).position).toBe(7n);
    expect(subscriptions.get(p1)).toBeUndefined();
    expect(subscriptions.require({ topic: 't', partition: 2 }).resetStrategy).toBe('earliest');
  });

  it('responseForAnOldFetchOffsetDiscarded', () => {
    const subscriptions = assigned();
    const state = subscriptions.require(p0);
    const stale = completed(state, 3);
    subscriptions.seek(state, 50n);
    expect(subscriptions.buffer(stale, 0n)).toBe(false);
    expect(subscriptions.takeNext()).toBeUndefined();
    expect(state.fetchPosition).toBe(50n);
  });

  it('pausedPartitionNotFetchedNorHandedButKeepsItsBuffer', () => {
    const subscriptions = assigned();
    const state = subscriptions.require(p0);
    expect(subscriptions.buffer(completed(state, 2), 0n)).toBe(true);
    state.paused = true;
    expect(subscriptions.fetchable(Date.now())).not.toContain(state);
    expect(subscriptions.takeNext()).toBeUndefined();
    state.paused = false;
    expect(subscriptions.takeNext()?.batch.records).toHaveLength(2);
  });

  it('fullBufferStopsFetching', () => {
    const subscriptions = assigned();
    const state = subscriptions.require(p0);
    subscriptions.buffer(completed(state, 1, LIMIT), 0n);
    expect(subscriptions.fetchable(Date.now())).toEqual([subscriptions.require(p1)]);
  });

  it('cursorPositionIsPastTheLastRecordHanded', () => {
    const subscriptions = assigned();
    const state = subscriptions.require(p0);
    const chunk = completed(state, 3);
    state.cursor = { records: chunk.batch.records, index: -1, nextOffset: 5n, nextEpoch: 2 };
    expect(consumedPosition(state)).toEqual({ offset: 0n, leaderEpoch: -1 });
    state.cursor.index = 0;
    expect(consumedPosition(state)).toEqual({ offset: 1n, leaderEpoch: 1 });
    state.cursor.index = 2;
    // Past the last record: the chunk's end, beyond a trailing control batch.
    expect(consumedPosition(state)).toEqual({ offset: 5n, leaderEpoch: 2 });
    subscriptions.seek(state, 9n);
    expect(state.cursor).toBeNull();
    expect(consumedPosition(state)).toEqual({ offset: 9n, leaderEpoch: -1 });
  });

  it('handedRecordsAreContiguousAndFollowSeeks', () => {
    type Op =
      | { kind: 'fetch'; partition: number; count: number }
      | { kind: 'take' }
      | { kind: 'seek'; partition: number; offset: number }
      | { kind: 'pause'; partition: number; paused: boolean };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('fetch' as const), partition: fc.integer({ min: 0, max: 1 }), count: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constant('take' as const) }),
      fc.record({ kind: fc.constant('seek' as const), partition: fc.integer({ min: 0, max: 1 }), offset: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant('pause' as const), partition: fc.integer({ min: 0, max: 1 }), paused: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const subscriptions = assigned();
        const states = [subscriptions.require(p0), subscriptions.require(p1)];
        // What the application must see next from each partition: its position, moved only by what it takes and by seeks.
        const expected = [0n, 0n];
        for (const o of ops) {
          if (o.kind === 'fetch') {
            const state = states[o.partition]!;
            if (!subscriptions.fetchable(Date.now()).includes(state)) continue;
            subscriptions.buffer(completed(state, o.count, 30), state.fetchPosition!);
          } else if (o.kind === 'seek') {
            subscriptions.seek(states[o.partition]!, BigInt(o.offset));
            expected[o.partition] = BigInt(o.offset);
          } else if (o.kind === 'pause') {
            states[o.partition]!.paused = o.paused;
          } else {
            const taken = subscriptions.takeNext();
            if (taken === undefined) continue;
            const index = taken.state.partition;
            expect(taken.state.paused).toBe(false);
            expect(taken.batch.records.map((r) => r.offset)).toEqual(taken.batch.records.map((_, i) => expected[index]! + BigInt(i)));
            expected[index] = taken.nextOffset;
            taken.state.position = taken.nextOffset;
          }
          for (const state of states) {
            expect(state.bufferedBytes).toBe(state.buffered.reduce((sum, c) => sum + c.bytes, 0));
            expect(state.bufferedBytes).toBeLessThan(LIMIT + 30);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
