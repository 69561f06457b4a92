import { BATCH_OFFSETS, CompressionType, crc32c, encodeEndTxnMarkerBatch, encodeRecordBatch, TimestampType, type RecordInput } from '@kstream/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bufferSerde, stringSerde, type Deserializer } from '../serde/index.js';
import { AbortedTransactions } from './aborted-transactions.js';
import { decodeFetchedRecords } from './fetched-records-decoder.js';

const source = { topic: 'orders', partition: 3, keyDeserializer: bufferSerde, valueDeserializer: bufferSerde };

function records(count: number, prefix = 'v'): RecordInput[] {
  return Array.from({ length: count }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`${prefix}${i}`), timestamp: 1_700_000_000_000 + i }));
}

function values(decoded: { records: { value: Buffer | null }[] }): string[] {
  return decoded.records.map((r) => r.value!.toString());
}

/** A deserializer that counts its calls. */
function counting(): Deserializer<string> & { calls: number } {
  return {
    calls: 0,
    deserialize(data: Buffer, topic: string) {
      this.calls++;
      return stringSerde.deserialize(data, topic);
    },
  };
}

describe('decodeFetchedRecords', () => {
  it('keysValuesAndHeadersDecodedOnFirstAccessOnly', async () => {
    const keys = counting();
    const vals = counting();
    const batch = await encodeRecordBatch({
      baseOffset: 100n,
      records: [
        {
          key: Buffer.from('a'),
          value: Buffer.from('b'),
          headers: [
            { key: 'h', value: Buffer.from('x') },
            { key: 'n', value: null },
          ],
        },
      ],
    });
    const { records } = await decodeFetchedRecords(batch, 100n, { ...source, keyDeserializer: keys, valueDeserializer: vals }, null);
    const record = records[0]!;
    expect(keys.calls + vals.calls).toBe(0);
    expect(record.value).toBe('b');
    expect(record.value).toBe('b');
    expect(vals.calls).toBe(1);
    expect(keys.calls).toBe(0);
    expect(record.key).toBe('a');
    expect(keys.calls).toBe(1);
    expect(record.headers).toEqual([
      { key: 'h', value: Buffer.from('x') },
      { key: 'n', value: null },
    ]);
    expect(record.headers).toBe(record.headers);
    expect([record.topic, record.partition, record.offset]).toEqual(['orders', 3, 100n]);
  });

  it('nullKeyAndValueNeverReachTheDeserializers', async () => {
    const keys = counting();
    const batch = await encodeRecordBatch({ records: [{ key: null, value: null }] });
    const [record] = (await decodeFetchedRecords(batch, 0n, { ...source, keyDeserializer: keys, valueDeserializer: keys }, null)).records;
    expect([record!.key, record!.value, record!.headers]).toEqual([null, null, []]);
    expect(keys.calls).toBe(0);
  });

  it('recordsBelowTheFetchOffsetSkipped', async () => {
    const batch = await encodeRecordBatch({ baseOffset: 10n, compression: CompressionType.Gzip, records: records(5) });
    const decoded = await decodeFetchedRecords(batch, 12n, source, null);
    expect(decoded.records.map((r) => r.offset)).toEqual([12n, 13n, 14n]);
    expect(values(decoded)).toEqual(['v2', 'v3', 'v4']);
    expect(decoded.nextOffset).toBe(15n);
  });

  it('timestampsCreateTimeAndLogAppendTime', async () => {
    const create = await encodeRecordBatch({ records: records(2) });
    expect((await decodeFetchedRecords(create, 0n, source, null)).records.map((r) => r.timestamp)).toEqual([1_700_000_000_000, 1_700_000_000_001]);
    const appended = await encodeRecordBatch({ timestampType: TimestampType.LogAppendTime, records: records(2) });
    // The broker sets maxTimestamp to its append time; every record reads it.
    appended.writeBigInt64BE(1_800_000_000_000n, BATCH_OFFSETS.maxTimestamp);
    appended.writeUInt32BE(crc32c(appended.subarray(BATCH_OFFSETS.attributes)), BATCH_OFFSETS.crc);
    expect((await decodeFetchedRecords(appended, 0n, source, null)).records.map((r) => r.timestamp)).toEqual([1_800_000_000_000, 1_800_000_000_000]);
  });

  it('controlBatchesSkippedButMovedPast', async () => {
    const data = Buffer.concat([
      await encodeRecordBatch({ baseOffset: 0n, records: records(2, 'a') }),
      await encodeEndTxnMarkerBatch({ commit: true, producerId: 5n, producerEpoch: 0, coordinatorEpoch: 0, baseOffset: 2n }),
      await encodeRecordBatch({ baseOffset: 3n, records: records(1, 'b') }),
      await encodeEndTxnMarkerBatch({ commit: true, producerId: 5n, producerEpoch: 0, coordinatorEpoch: 0, baseOffset: 4n }),
    ]);
    const decoded = await decodeFetchedRecords(data, 0n, source, null);
    expect(values(decoded)).toEqual(['a0', 'a1', 'b0']);
    expect(decoded.records.map((r) => r.offset)).toEqual([0n, 1n, 3n]);
    expect(decoded.nextOffset).toBe(5n);
  });

  it('abortedTransactionsDroppedUnderReadCommitted', async () => {
    const txn = (producerId: bigint, baseOffset: bigint, prefix: string) =>
      encodeRecordBatch({ baseOffset, producerId, producerEpoch: 0, baseSequence: 0, isTransactional: true, records: records(2, prefix) });
    const marker = (producerId: bigint, baseOffset: bigint, commit: boolean) => encodeEndTxnMarkerBatch({ commit, producerId, producerEpoch: 0, coordinatorEpoch: 0, baseOffset });
    // Producer 7 aborts its first transaction and commits its second; producer 8 commits, interleaved.
    const data = Buffer.concat([
      await txn(7n, 0n, 'aborted'),
      await txn(8n, 2n, 'committed8-'),
      await marker(7n, 4n, false),
      await marker(8n, 5n, true),
      await txn(7n, 6n, 'committed7-'),
      await marker(7n, 8n, true),
    ]);
    const committed = await decodeFetchedRecords(data, 0n, source, new AbortedTransactions([{ producerId: 7n, firstOffset: 0n }]));
    expect(values(committed)).toEqual(['committed8-0', 'committed8-1', 'committed7-0', 'committed7-1']);
    expect(committed.nextOffset).toBe(9n);
    const uncommitted = await decodeFetchedRecords(data, 0n, source, null);
    expect(values(uncommitted)).toEqual(['aborted0', 'aborted1', 'committed8-0', 'committed8-1', 'committed7-0', 'committed7-1']);
  });

  it('trailingPartialBatchLeftForTheNextFetch', async () => {
    const first = await encodeRecordBatch({ baseOffset: 0n, records: records(2) });
    const second = await encodeRecordBatch({ baseOffset: 2n, records: records(2) });
    const decoded = await decodeFetchedRecords(Buffer.concat([first, second.subarray(0, second.length - 3)]), 0n, source, null);
    expect(decoded.records).toHaveLength(2);
    expect(decoded.nextOffset).toBe(2n);
  });

  it('emptyDataKeepsTheFetchOffset', async () => {
    expect(await decodeFetchedRecords(Buffer.alloc(0), 42n, source, null)).toEqual({ records: [], nextOffset: 42n, lastEpoch: -1 });
  });

  it('badCrcRefused', async () => {
    const batch = await encodeRecordBatch({ records: records(2) });
    batch[batch.length - 1] ^= 0xff;
    await expect(decodeFetchedRecords(batch, 0n, source, null)).rejects.toThrow(/CRC/);
  });

  it('recordAndKeyLengthsCheckedAgainstTheBatch: a valid CRC over a record that overruns is still refused', async () => {
    const reCrc = (batch: Buffer) => batch.writeUInt32BE(crc32c(batch.subarray(BATCH_OFFSETS.attributes)), BATCH_OFFSETS.crc);
    // The records section starts at byte 61: record length, attributes, timestampDelta, offsetDelta, key length (all one byte here).
    const recordTooLong = await encodeRecordBatch({ records: [{ key: Buffer.from('a'), value: Buffer.from('b') }] });
    recordTooLong[61] = 0x7e; // record length 63
    reCrc(recordTooLong);
    await expect(decodeFetchedRecords(recordTooLong, 0n, source, null)).rejects.toThrow(/record 0: record length 63/);
    const keyTooLong = await encodeRecordBatch({ records: [{ key: Buffer.from('a'), value: Buffer.from('b') }] });
    keyTooLong[65] = 0x0a; // key length 5
    reCrc(keyTooLong);
    await expect(decodeFetchedRecords(keyTooLong, 0n, source, null)).rejects.toThrow(/record 0: key length 5/);
  });

  it('roundTripsWhatTheEncoderWrote', async () => {
    const record = fc.record({
      key: fc.option(
        fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b)),
        { nil: null },
      ),
      value: fc.option(
        fc.uint8Array({ maxLength: 50 }).map((b) => Buffer.from(b)),
        { nil: null },
      ),
      timestampDelta: fc.integer({ min: 0, max: 1_000_000 }),
      headers: fc.array(
        fc.record({
          key: fc.string({ maxLength: 8 }),
          value: fc.option(
            fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)),
            { nil: null },
          ),
        }),
        { maxLength: 3 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 20 }),
        fc.constantFrom(CompressionType.None, CompressionType.Gzip, CompressionType.Lz4, CompressionType.Snappy, CompressionType.Zstd),
        fc.bigInt({ min: 0n, max: 1n << 40n }),
        async (inputs, compression, baseOffset) => {
          const batch = await encodeRecordBatch({ baseOffset, baseTimestamp: 1_000, compression, partitionLeaderEpoch: 4, records: inputs });
          const decoded = await decodeFetchedRecords(batch, baseOffset, source, null);
          expect(decoded.nextOffset).toBe(baseOffset + BigInt(inputs.length));
          expect(decoded.lastEpoch).toBe(4);
          expect(
            decoded.records.map((r) => ({ key: r.key, value: r.value, timestampDelta: r.timestamp - 1_000, headers: r.headers, offset: r.offset, leaderEpoch: r.leaderEpoch })),
          ).toEqual(inputs.map((input, i) => ({ ...input, offset: baseOffset + BigInt(i), leaderEpoch: 4 })));
        },
      ),
      { numRuns: 60 },
    );
  });
});
