import { encodeEndTxnMarkerBatch, encodeRecordBatch, lastOffsetOf, readBatchHeader, setBaseOffset } from '@kstream/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCoordinatorBatch } from './coordinator-batch.js';
import { CoordinatorLoadError } from './coordinator-load-error.js';
import { loadCoordinatorPartition, type CoordinatorLogReader, type LoadedCoordinatorState } from './coordinator-load.js';
import { encodeCoordinatorRecord } from './coordinator-record-codec.js';
import { asStored, groupMetadataValue, offsetAndMetadata, offsetCommitKey } from './coordinator-record.test-support.js';
import type { CoordinatorRecord, GroupMetadataValue, OffsetAndMetadata } from './coordinator-record.js';

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

/** The state as plain sorted entries, so a load and the model compare with toEqual. */
function entries(groups: Map<string, GroupMetadataValue>, offsets: Map<string, OffsetAndMetadata>) {
  return { groups: [...groups].sort(([a], [b]) => (a < b ? -1 : 1)), offsets: [...offsets].sort(([a], [b]) => (a < b ? -1 : 1)) };
}

function loadedEntries(state: LoadedCoordinatorState) {
  const offsets = new Map<string, OffsetAndMetadata>();
  for (const [group, topics] of state.offsets) {
    for (const [topic, partitions] of topics) {
      expect(partitions.size).toBeGreaterThan(0);
      for (const [partition, value] of partitions) offsets.set(JSON.stringify([group, topic, partition]), value);
    }
  }
  return entries(state.groups, offsets);
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

/** A run of records stored as one batch: `gap` offsets skipped before it, `spread` between its records (as compaction leaves them). */
const batchPlan = fc.record({
  records: fc.array(record, { minLength: 1, maxLength: 6 }),
  gap: fc.integer({ min: 0, max: 3 }),
  spread: fc.integer({ min: 0, max: 2 }),
  markerAfter: fc.boolean(),
});

describe('loadCoordinatorPartition', () => {
  it('replaysAnyLogToTheLastValuePerKey', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(batchPlan, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.nat(),
        fc.nat(),
        async (plans, maxBytesPerRead, fromSeed, toSeed) => {
          const batches: Buffer[] = [];
          const written: { offset: bigint; record: CoordinatorRecord }[] = [];
          let next = 0n;
          for (const plan of plans) {
            const base = next + BigInt(plan.gap);
            const inputs = plan.records.map((r, i) => ({ ...encodeCoordinatorRecord(r), offsetDelta: i * (plan.spread + 1) }));
            batches.push(at(base, await encodeRecordBatch({ records: inputs, baseTimestamp: 1 })));
            plan.records.forEach((r, i) => written.push({ offset: base + BigInt(inputs[i]!.offsetDelta), record: r }));
            next = base + BigInt(inputs[inputs.length - 1]!.offsetDelta) + 1n;
            if (plan.markerAfter) {
              batches.push(await encodeEndTxnMarkerBatch({ commit: false, producerId: 1n, producerEpoch: 0, coordinatorEpoch: 0, baseOffset: next, timestamp: 1 }));
              next += 1n;
            }
          }
          const from = BigInt(fromSeed) % (next + 1n);
          const to = from + (BigInt(toSeed) % (next - from + 1n));

          const groups = new Map<string, GroupMetadataValue>();
          const offsets = new Map<string, OffsetAndMetadata>();
          for (const { offset, record: stored } of written) {
            if (offset < from || offset >= to) continue;
            const r = asStored(stored);
            if (r.type === 'group') {
              if (r.value === null) groups.delete(r.group);
              else groups.set(r.group, r.value);
            } else {
              const key = JSON.stringify([r.key.group, r.key.topic, r.key.partition]);
              if (r.value === null) offsets.delete(key);
              else offsets.set(key, r.value);
            }
          }

          const state = await loadCoordinatorPartition(memoryLog(batches), from, to, maxBytesPerRead, 4);
          expect(loadedEntries(state)).toEqual(entries(groups, offsets));
        },
      ),
      { numRuns: 150 },
    );
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
    expect(await loadCoordinatorPartition(log, 5n, 5n, 1000)).toEqual({ groups: new Map(), offsets: new Map() });
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
