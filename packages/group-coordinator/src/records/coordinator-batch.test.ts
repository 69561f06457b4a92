import {
  BATCH_OFFSETS,
  CompressionType,
  ControlRecordType,
  controlRecordKey,
  decodeRecordBatch,
  encodeEndTxnMarkerBatch,
  encodeRecordBatch,
  readBatchHeader,
  setBaseOffset,
} from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { decodeCoordinatorRead, encodeCoordinatorBatch } from './coordinator-batch.js';
import { CoordinatorLoadError } from './coordinator-load-error.js';
import { encodeCoordinatorRecord } from './coordinator-record-codec.js';
import type { CoordinatorRecord } from './coordinator-record.js';

const commit = (group: string, partition: number, offset: bigint): CoordinatorRecord => ({
  type: 'offset',
  key: { group, topic: 't', partition },
  value: { offset, leaderEpoch: 0, metadata: '', commitTimestamp: 1n, expireTimestamp: -1n },
});
const deleted = (group: string): CoordinatorRecord => ({ type: 'group', group, value: null });

/** `batch` moved to `baseOffset`, as an append would place it (the CRC does not cover the base offset). */
function at(baseOffset: bigint, batch: Buffer): Buffer {
  const copy = Buffer.from(batch);
  setBaseOffset(copy, 0, baseOffset);
  return copy;
}

async function expectLoadError(bytes: Buffer, partition: number, offset: bigint, detail: RegExp): Promise<void> {
  const error = await decodeCoordinatorRead(bytes, partition).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CoordinatorLoadError);
  expect((error as CoordinatorLoadError).offset).toBe(offset);
  expect((error as CoordinatorLoadError).partition).toBe(partition);
  expect((error as Error).message).toMatch(new RegExp(`^__consumer_offsets-${partition} at offset ${offset}: `));
  expect((error as Error).message).toMatch(detail);
}

describe('coordinator batches', () => {
  it('encodesOneUncompressedV2BatchOfTheRecordsInOrder', async () => {
    const records = [commit('g', 0, 5n), deleted('h'), commit('g', 1, 6n)];
    const batch = encodeCoordinatorBatch(records, 1_700_000_000_123n);
    const decoded = await decodeRecordBatch(batch); // checks the CRC32C
    expect(decoded.header).toMatchObject({ baseOffset: 0n, magic: 2, producerId: -1n, producerEpoch: -1, baseSequence: -1, recordCount: 3 });
    expect(decoded.header.baseTimestamp).toBe(1_700_000_000_123n);
    expect(decoded.header.maxTimestamp).toBe(1_700_000_000_123n);
    expect(decoded.attributes).toMatchObject({ compression: CompressionType.None, isTransactional: false, isControl: false });
    expect(decoded.records.map((r) => ({ key: r.key, value: r.value, offsetDelta: r.offsetDelta, timestampDelta: r.timestampDelta }))).toEqual(
      records.map((record, i) => ({ ...encodeCoordinatorRecord(record), offsetDelta: i, timestampDelta: 0 })),
    );
  });

  it('readsRecordsWithTheirOffsetsAcrossBatches', async () => {
    const bytes = Buffer.concat([at(10n, encodeCoordinatorBatch([commit('g', 0, 1n), commit('g', 1, 2n)], 1n)), at(12n, encodeCoordinatorBatch([deleted('g')], 1n))]);
    expect(await decodeCoordinatorRead(bytes)).toEqual({
      records: [
        { offset: 10n, record: commit('g', 0, 1n) },
        { offset: 11n, record: commit('g', 1, 2n) },
        { offset: 12n, record: deleted('g') },
      ],
      markers: [],
      nextOffset: 13n,
    });
  });

  it('acceptsTheOffsetGapsCompactionLeaves', async () => {
    // A compacted batch keeps its records' original offset deltas and its last offset delta.
    const kept = [commit('g', 0, 1n), commit('g', 1, 2n)].map((record, i) => ({ ...encodeCoordinatorRecord(record), offsetDelta: i * 5 }));
    const compacted = at(100n, await encodeRecordBatch({ records: kept, lastOffsetDelta: 9 }));
    const bytes = Buffer.concat([compacted, at(250n, encodeCoordinatorBatch([deleted('g')], 1n))]);
    const read = await decodeCoordinatorRead(bytes);
    expect(read.records.map((r) => r.offset)).toEqual([100n, 105n, 250n]);
    expect(read.nextOffset).toBe(251n);
  });

  it('readsTransactionMarkersFromControlBatchesAndCountsTheirOffsets', async () => {
    const marker = await encodeEndTxnMarkerBatch({ commit: true, producerId: 9n, producerEpoch: 0, coordinatorEpoch: 0, baseOffset: 1n, timestamp: 1 });
    const abort = await encodeEndTxnMarkerBatch({ commit: false, producerId: 4n, producerEpoch: 2, coordinatorEpoch: 7, baseOffset: 2n, timestamp: 1 });
    const bytes = Buffer.concat([at(0n, encodeCoordinatorBatch([commit('g', 0, 1n)], 1n)), marker, abort]);
    expect(await decodeCoordinatorRead(bytes)).toEqual({
      records: [{ offset: 0n, record: commit('g', 0, 1n) }],
      markers: [
        { offset: 1n, producerId: 9n, commit: true },
        { offset: 2n, producerId: 4n, commit: false },
      ],
      nextOffset: 3n,
    });
  });

  it('skipsControlRecordsThatAreNotTransactionMarkers', async () => {
    // A KRaft LeaderChange control record (type 2) has no business here, and is not a transaction's end.
    const leaderChange = await encodeRecordBatch({
      isControl: true,
      records: [{ key: controlRecordKey(ControlRecordType.LeaderChange), value: Buffer.from('0000', 'hex') }],
    });
    expect(await decodeCoordinatorRead(at(3n, leaderChange))).toEqual({ records: [], markers: [], nextOffset: 4n });
  });

  it('encodesATransactionalBatchOfTheProducerAndReadsItsRecordsWithTheProducerId', async () => {
    const records = [commit('g', 0, 5n), commit('g', 1, 6n)];
    const batch = encodeCoordinatorBatch(records, 1_700_000_000_123n, { producerId: 4_000n, producerEpoch: 3 });
    const decoded = await decodeRecordBatch(batch);
    expect(decoded.header).toMatchObject({ producerId: 4_000n, producerEpoch: 3, baseSequence: 0, recordCount: 2 });
    expect(decoded.attributes).toMatchObject({ compression: CompressionType.None, isTransactional: true, isControl: false });
    expect(await decodeCoordinatorRead(at(20n, batch))).toEqual({
      records: [
        { offset: 20n, record: records[0], producerId: 4_000n },
        { offset: 21n, record: records[1], producerId: 4_000n },
      ],
      markers: [],
      nextOffset: 22n,
    });
  });

  it('aControlRecordWithAShortKeyNamesItsOffset', async () => {
    const bad = at(8n, await encodeRecordBatch({ isControl: true, isTransactional: true, producerId: 1n, records: [{ key: Buffer.from('00', 'hex'), value: null }] }));
    await expectLoadError(bad, 2, 8n, /control record key of 1 bytes/);
  });

  it('decompressesACompressedBatch', async () => {
    const records = [commit('g', 0, 1n), deleted('h')];
    for (const compression of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
      const batch = await encodeRecordBatch({ compression, records: records.map(encodeCoordinatorRecord) });
      expect((await decodeCoordinatorRead(at(7n, batch))).records).toEqual([
        { offset: 7n, record: records[0] },
        { offset: 8n, record: records[1] },
      ]);
    }
  });

  it('skipsRecordTypesItDoesNotRead', async () => {
    // A KIP-848 ConsumerGroupMetadataKey (type 3) between two of ours.
    const foreign = { key: Buffer.from('00030001' + '67', 'hex'), value: Buffer.from('0000', 'hex') };
    const batch = await encodeRecordBatch({ records: [encodeCoordinatorRecord(commit('g', 0, 1n)), foreign, encodeCoordinatorRecord(deleted('g'))] });
    expect((await decodeCoordinatorRead(batch)).records).toEqual([
      { offset: 0n, record: commit('g', 0, 1n) },
      { offset: 2n, record: deleted('g') },
    ]);
  });

  it('badCrcNamesThePartitionAndTheBatchOffset', async () => {
    const batch = at(40n, encodeCoordinatorBatch([commit('g', 0, 1n)], 1n));
    batch[batch.length - 1]! ^= 0xff;
    await expectLoadError(Buffer.concat([at(39n, encodeCoordinatorBatch([deleted('x')], 1n)), batch]), 7, 40n, /bad-crc/);
  });

  it('badLengthNamesThePartitionAndTheBatchOffset', async () => {
    const batch = at(40n, encodeCoordinatorBatch([commit('g', 0, 1n)], 1n));
    batch.writeInt32BE(20, BATCH_OFFSETS.batchLength);
    await expectLoadError(batch, 3, 40n, /batchLength 20 is below the header's \(bad-length\)/);
  });

  it('undecodableRecordNamesItsOwnOffset', async () => {
    const bad = { key: encodeCoordinatorRecord(commit('g', 0, 1n)).key, value: Buffer.from('00030000', 'hex') };
    const batch = at(60n, await encodeRecordBatch({ records: [encodeCoordinatorRecord(deleted('g')), bad] }));
    await expectLoadError(batch, 0, 61n, /OffsetCommitValue v3: offset: int64 needs 8 bytes, 2 left/);
  });

  it('recordWithoutAKeyIsAnError', async () => {
    const batch = at(5n, await encodeRecordBatch({ records: [{ key: null, value: Buffer.from('0000', 'hex') }] }));
    await expectLoadError(batch, 1, 5n, /a record without a key/);
  });

  it('readWithoutAWholeBatchHasNoNextOffset', async () => {
    const batch = encodeCoordinatorBatch([commit('g', 0, 1n)], 1n);
    expect(readBatchHeader(batch)).toBeDefined();
    expect(await decodeCoordinatorRead(batch.subarray(0, batch.length - 1))).toEqual({ records: [], markers: [], nextOffset: undefined });
    expect(await decodeCoordinatorRead(Buffer.alloc(0))).toEqual({ records: [], markers: [], nextOffset: undefined });
  });
});
