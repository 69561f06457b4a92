import { encodeEndTxnMarkerBatch, encodeRecordBatch, lastOffsetOf, readBatchHeader, setBaseOffset } from '@kstream/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCoordinatorBatch } from './coordinator-batch.js';
import { CoordinatorLoadError } from './coordinator-load-error.js';
import { loadCoordinatorPartition, type CoordinatorLogReader, type LoadedCoordinatorState, type OffsetsByGroup } from './coordinator-load.js';
import { encodeCoordinatorRecord } from './coordinator-record-codec.js';
import { asStored, groupMetadataValue, offsetAndMetadata, offsetCommitKey } from './coordinator-record.test-support.js';
import type { CoordinatorRecord, GroupMetadataValue, OffsetAndMetadataAt } from './coordinator-record.js';

/** A log of positioned batches, read as CoordinatorLog.read does: whole batches from the one holding `offset`, the first even above `maxBytes`. */
function memoryLog(batches: readonly Buffer[]): CoordinatorLogReader & { reads: bigint[] } {
  const reads: bigint[] = [];
  const read = async (offset: bigint, maxBytes: number): Promise<Buffer> => {
    reads.push(offset);
    const start = batches.findIndex((batch) => lastOffsetOf(readBatchHeader(batch)!) >= offset);
    if (start < 0) return Buffer.alloc(0);
    const out = [batches[start]!];
    let size = batches[start]!.length;
    for (let i = start + 1; i < batches.length && size + batches[i]!.length <= maxBytes; i++) {
      out.push(batches[i]!);
      size += batches[i]!.length;
    }
    return Buffer.concat(out);
  };
  return Object.assign(read, { reads });
}

function at(baseOffset: bigint, batch: Buffer): Buffer {
  const copy = Buffer.from(batch);
  setBaseOffset(copy, 0, baseOffset);
  return copy;
}

type Offsets = Map<string, OffsetAndMetadataAt>;

const byKey = <V>(map: Map<string, V>) => [...map].sort(([a], [b]) => (a < b ? -1 : 1));

/** The state as plain sorted entries, so a load and the model compare with toEqual. */
function entries(groups: Map<string, GroupMetadataValue>, offsets: Offsets, pending: Map<bigint, Offsets>) {
  return {
    groups: byKey(groups),
    offsets: byKey(offsets),
    pending: [...pending].sort(([a], [b]) => (a < b ? -1 : 1)).map(([producerId, values]) => [producerId, byKey(values)]),
  };
}

function flat(offsetsByGroup: OffsetsByGroup): Offsets {
  const offsets: Offsets = new Map();
  for (const [group, topics] of offsetsByGroup) {
    for (const [topic, partitions] of topics) {
      expect(partitions.size).toBeGreaterThan(0);
      for (const [partition, value] of partitions) offsets.set(JSON.stringify([group, topic, partition]), value);
    }
  }
  return offsets;
}

function loadedEntries(state: LoadedCoordinatorState) {
  const pending = new Map([...state.pendingTxnOffsets].map(([producerId, offsets]) => [producerId, flat(offsets)] as const));
  for (const offsets of pending.values()) expect(offsets.size).toBeGreaterThan(0);
  return entries(state.groups, flat(state.offsets), pending);
}

const commit = (group: string, partition: number, offset: bigint): CoordinatorRecord => ({
  type: 'offset',
  key: { group, topic: 't', partition },
  value: { offset, leaderEpoch: 0, metadata: '', commitTimestamp: 1n, expireTimestamp: -1n },
});

// Few keys, so records overwrite and delete each other.
const record: fc.Arbitrary<CoordinatorRecord> = fc.oneof(
  fc.record({
    type: fc.constant('offset' as const),
    key: offsetCommitKey(fc.constantFrom('a', 'b'), fc.constantFrom('t', 'u'), fc.integer({ min: 0, max: 2 })),
    value: fc.option(offsetAndMetadata(), { nil: null, freq: 3 }),
  }),
  fc.record({ type: fc.constant('group' as const), group: fc.constantFrom('a', 'b', 'c'), value: fc.option(groupMetadataValue(), { nil: null, freq: 3 }) }),
);

/**
 * A run of records stored as one batch: `gap` offsets skipped before it,
 * `spread` between its records (as compaction leaves them); transactional
 * when `producerId` is set; then maybe a transaction marker.
 */
const batchPlan = fc.record({
  records: fc.array(record, { minLength: 1, maxLength: 6 }),
  gap: fc.integer({ min: 0, max: 3 }),
  spread: fc.integer({ min: 0, max: 2 }),
  producerId: fc.option(fc.constantFrom(1n, 2n), { nil: undefined }),
  markerAfter: fc.option(fc.record({ producerId: fc.constantFrom(1n, 2n, 3n), commit: fc.boolean() }), { nil: undefined }),
});

/** Kafka's replay (OffsetMetadataManager.replay, replayEndTransactionMarker) on flat keys: the model the load is checked against. */
class ReplayModel {
  readonly groups = new Map<string, GroupMetadataValue>();
  readonly offsets: Offsets = new Map();
  readonly pending = new Map<bigint, Offsets>();

  record(offset: bigint, stored: CoordinatorRecord, producerId: bigint | undefined): void {
    const r = asStored(stored);
    if (r.type === 'group') {
      if (r.value === null) this.groups.delete(r.group);
      else this.groups.set(r.group, r.value);
      return;
    }
    const key = JSON.stringify([r.key.group, r.key.topic, r.key.partition]);
    if (r.value === null) {
      // A tombstone, in a transaction or not, deletes the committed offset and every open transaction's.
      this.offsets.delete(key);
      for (const [open, pending] of this.pending) {
        pending.delete(key);
        if (pending.size === 0) this.pending.delete(open);
      }
      return;
    }
    const offsets = producerId === undefined ? this.offsets : (this.pending.get(producerId) ?? new Map());
    offsets.set(key, { ...r.value, recordOffset: offset });
    if (producerId !== undefined) this.pending.set(producerId, offsets);
  }

  marker(producerId: bigint, commit: boolean): void {
    const pending = this.pending.get(producerId);
    this.pending.delete(producerId);
    if (!commit || pending === undefined) return;
    for (const [key, value] of pending) {
      const committed = this.offsets.get(key);
      if (committed === undefined || committed.recordOffset < value.recordOffset) this.offsets.set(key, value);
    }
  }
}

describe('loadCoordinatorPartition', () => {
  it('replaysAnyLogToTheLastValuePerKeyWithTransactionsPendingUntilTheirMarker', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(batchPlan, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.nat(),
        fc.nat(),
        async (plans, maxBytesPerRead, fromSeed, toSeed) => {
          const batches: Buffer[] = [];
          type Written = { offset: bigint; record: CoordinatorRecord; producerId: bigint | undefined } | { offset: bigint; marker: { producerId: bigint; commit: boolean } };
          const written: Written[] = [];
          let next = 0n;
          for (const plan of plans) {
            const base = next + BigInt(plan.gap);
            const inputs = plan.records.map((r, i) => ({ ...encodeCoordinatorRecord(r), offsetDelta: i * (plan.spread + 1) }));
            const producer = plan.producerId === undefined ? {} : { isTransactional: true, producerId: plan.producerId, producerEpoch: 0, baseSequence: 0 };
            batches.push(at(base, await encodeRecordBatch({ records: inputs, baseTimestamp: 1, ...producer })));
            plan.records.forEach((r, i) => {
              written.push({ offset: base + BigInt(inputs[i]!.offsetDelta), record: r, producerId: plan.producerId });
            });
            next = base + BigInt(inputs[inputs.length - 1]!.offsetDelta) + 1n;
            if (plan.markerAfter !== undefined) {
              const { producerId, commit } = plan.markerAfter;
              batches.push(await encodeEndTxnMarkerBatch({ commit, producerId, producerEpoch: 0, coordinatorEpoch: 0, baseOffset: next, timestamp: 1 }));
              written.push({ offset: next, marker: plan.markerAfter });
              next += 1n;
            }
          }
          const from = BigInt(fromSeed) % (next + 1n);
          const to = from + (BigInt(toSeed) % (next - from + 1n));

          const model = new ReplayModel();
          for (const w of written) {
            if (w.offset < from || w.offset >= to) continue;
            if ('marker' in w) model.marker(w.marker.producerId, w.marker.commit);
            else model.record(w.offset, w.record, w.producerId);
          }

          const state = await loadCoordinatorPartition(memoryLog(batches), from, to, maxBytesPerRead, 4);
          expect(loadedEntries(state)).toEqual(entries(model.groups, model.offsets, model.pending));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('loadsCommittedAbortedAndStillOpenTransactions', async () => {
    const txn = (baseOffset: bigint, producerId: bigint, records: CoordinatorRecord[]) => at(baseOffset, encodeCoordinatorBatch(records, 1n, { producerId, producerEpoch: 0 }));
    const marker = (baseOffset: bigint, producerId: bigint, commit: boolean) =>
      encodeEndTxnMarkerBatch({ commit, producerId, producerEpoch: 0, coordinatorEpoch: 0, baseOffset, timestamp: 1 });
    const batches = [
      at(0n, encodeCoordinatorBatch([commit('g', 0, 10n), commit('g', 1, 10n)], 1n)),
      txn(2n, 7n, [commit('g', 0, 20n)]), // committed below
      txn(3n, 8n, [commit('g', 1, 30n)]), // aborted below
      txn(4n, 9n, [commit('h', 0, 40n)]), // never ended: still open
      await marker(5n, 7n, true),
      await marker(6n, 8n, false),
    ];
    const state = await loadCoordinatorPartition(memoryLog(batches), 0n, 7n, 1000);
    expect(state.offsets.get('g')?.get('t')?.get(0)).toMatchObject({ offset: 20n, recordOffset: 2n });
    expect(state.offsets.get('g')?.get('t')?.get(1)).toMatchObject({ offset: 10n, recordOffset: 1n });
    expect(state.offsets.has('h')).toBe(false);
    expect([...state.pendingTxnOffsets.keys()]).toEqual([9n]);
    expect(state.pendingTxnOffsets.get(9n)?.get('h')?.get('t')?.get(0)).toMatchObject({ offset: 40n, recordOffset: 4n });
  });

  it('aPlainCommitWrittenAfterTheTransactionalOneWinsWhenTheTransactionCommits', async () => {
    const batches = [
      at(0n, encodeCoordinatorBatch([commit('g', 0, 20n)], 1n, { producerId: 7n, producerEpoch: 0 })),
      at(1n, encodeCoordinatorBatch([commit('g', 0, 25n)], 1n)),
      await encodeEndTxnMarkerBatch({ commit: true, producerId: 7n, producerEpoch: 0, coordinatorEpoch: 0, baseOffset: 2n, timestamp: 1 }),
    ];
    const state = await loadCoordinatorPartition(memoryLog(batches), 0n, 3n, 1000);
    expect(state.offsets.get('g')?.get('t')?.get(0)).toMatchObject({ offset: 25n, recordOffset: 1n });
    expect(state.pendingTxnOffsets.size).toBe(0);
  });

  it('groupTombstoneKeepsTheGroupsOffsets', async () => {
    const group = { protocolType: 'consumer', generation: 1, protocol: 'range', leader: null, currentStateTimestamp: -1n, members: [] };
    const batch = encodeCoordinatorBatch([{ type: 'group', group: 'g', value: group }, commit('g', 0, 9n), { type: 'group', group: 'g', value: null }], 1n);
    const state = await loadCoordinatorPartition(memoryLog([batch]), 0n, 3n, 1000);
    expect(state.groups.size).toBe(0);
    expect(state.offsets.get('g')?.get('t')?.get(0)?.offset).toBe(9n);
  });

  it('readsChunkByChunkYieldingBetweenThem', async () => {
    const batches = [0, 1, 2, 3].map((i) => at(BigInt(i), encodeCoordinatorBatch([commit('g', i, 1n)], 1n)));
    const log = memoryLog(batches);
    let otherWorkRan = true;
    const read: CoordinatorLogReader = async (offset, maxBytes) => {
      // Other work queued on the event loop during this chunk must run before the next read.
      expect(otherWorkRan).toBe(true);
      otherWorkRan = false;
      setImmediate(() => (otherWorkRan = true));
      return log(offset, maxBytes);
    };
    const state = await loadCoordinatorPartition(read, 0n, 4n, batches[0]!.length);
    expect(log.reads).toEqual([0n, 1n, 2n, 3n]);
    expect(state.offsets.get('g')?.get('t')?.size).toBe(4);
  });

  it('endsWhenTheLogHoldsNoMoreBatches', async () => {
    // The tail up to `to` was compacted away: the load ends with what is there.
    const log = memoryLog([encodeCoordinatorBatch([commit('g', 0, 1n)], 1n)]);
    const state = await loadCoordinatorPartition(log, 0n, 100n, 1000);
    expect(log.reads).toEqual([0n, 1n]);
    expect(state.offsets.get('g')?.get('t')?.get(0)?.offset).toBe(1n);
  });

  it('readsNothingForAnEmptyRange', async () => {
    const log = memoryLog([]);
    expect(await loadCoordinatorPartition(log, 5n, 5n, 1000)).toEqual({ groups: new Map(), offsets: new Map(), pendingTxnOffsets: new Map() });
    expect(log.reads).toEqual([]);
  });

  it('aReadWithNoWholeBatchIsAnError', async () => {
    const batch = encodeCoordinatorBatch([commit('g', 0, 1n)], 1n);
    const load = loadCoordinatorPartition(async () => batch.subarray(0, 70), 0n, 1n, 1000, 12);
    await expect(load).rejects.toThrow(CoordinatorLoadError);
    await expect(load).rejects.toThrow('__consumer_offsets-12 at offset 0: a read of 70 bytes held no whole batch');
  });

  it('aReadThatDoesNotAdvanceIsAnError', async () => {
    const batch = encodeCoordinatorBatch([commit('g', 0, 1n)], 1n);
    const load = loadCoordinatorPartition(async () => batch, 0n, 5n, 1000, 2);
    await expect(load).rejects.toThrow('__consumer_offsets-2 at offset 1: a read returned only batches before it (up to 0)');
  });

  it('aCorruptBatchFailsTheLoadNamingThePartition', async () => {
    const batch = encodeCoordinatorBatch([commit('g', 0, 1n)], 1n);
    batch[batch.length - 1]! ^= 1;
    await expect(loadCoordinatorPartition(memoryLog([batch]), 0n, 1n, 1000, 31)).rejects.toThrow(/^__consumer_offsets-31 at offset 0: .*bad-crc/);
  });
});
