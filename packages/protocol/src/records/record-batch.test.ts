import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { baseTimestamp, recordInput } from './record-arbitraries.test-support.js';
import { recordOffset, recordTimestamp, TimestampType } from './record-batch-attributes.js';
import { CompressionType, lastOffsetOf, validateBatch } from './record-batch-header.js';
import { decodeRecordBatch, encodeRecordBatch, encodeUncompressedRecordBatch } from './record-batch.js';
import type { RecordInput } from './record.js';

const ALL_COMPRESSIONS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd] as const;

const hex = (b: Buffer | null): string => (b === null ? 'null' : `<${b.toString('hex')}>`);

/** One line per record, so thousands of records compare as one string rather than deep-equal objects. */
type ComparableRecord = { offsetDelta: number; timestampDelta: number } & Pick<RecordInput, 'key' | 'value' | 'headers'>;

function recordLines(records: readonly ComparableRecord[]): string {
  return records
    .map((r) => `${r.offsetDelta} ${r.timestampDelta} ${hex(r.key)} ${hex(r.value)} ${(r.headers ?? []).map((h) => `${JSON.stringify(h.key)}=${hex(h.value)}`).join(',')}`)
    .join('\n');
}

function expectSameRecords(decoded: Awaited<ReturnType<typeof decodeRecordBatch>>, records: readonly RecordInput[]): void {
  const expected = records.map((input, i) => ({ ...input, offsetDelta: input.offsetDelta ?? i, timestampDelta: input.timestampDelta ?? 0 }));
  expect(recordLines(decoded.records)).toBe(recordLines(expected));
}

describe('encodeRecordBatch / decodeRecordBatch', () => {
  it('roundTripsRandomRecordsWithEveryCodec', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordInput, { minLength: 1, maxLength: 40 }),
        fc.constantFrom(...ALL_COMPRESSIONS),
        baseTimestamp,
        fc.bigInt({ min: 0n, max: 2n ** 62n }),
        async (records, compression, base, baseOffset) => {
          const buf = await encodeRecordBatch({ baseOffset, baseTimestamp: base, compression, records });
          expect(validateBatch(buf)).toEqual({ ok: true, size: buf.length });
          const decoded = await decodeRecordBatch(buf);
          expect(decoded.attributes.compression).toBe(compression);
          expect(decoded.header.baseOffset).toBe(baseOffset);
          expect(decoded.header.baseTimestamp).toBe(BigInt(base));
          expect(decoded.header.recordCount).toBe(records.length);
          expect(lastOffsetOf(decoded.header)).toBe(baseOffset + BigInt(records.length - 1));
          const maxDelta = Math.max(...records.map((r) => r.timestampDelta!));
          expect(decoded.header.maxTimestamp).toBe(BigInt(base + maxDelta));
          expectSameRecords(decoded, records);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('roundTripsManyRecordsWithEveryCodec', async () => {
    const records: RecordInput[] = Array.from({ length: 5000 }, (_, i) => ({
      timestampDelta: i * 3 - 7000,
      key: i % 7 === 0 ? null : Buffer.from(`key-${i % 100}`),
      value: Buffer.from(`{"order":${i},"amount":${(i * 37) % 1000},"currency":"EUR"}`),
      headers: i % 3 === 0 ? [{ key: 'trace', value: Buffer.from(String(i)) }] : [],
    }));
    for (const compression of ALL_COMPRESSIONS) {
      const decoded = await decodeRecordBatch(await encodeRecordBatch({ baseTimestamp: 1_700_000_000_000, compression, records }));
      expectSameRecords(decoded, records);
    }
  });

  it('absoluteTimestampsBecomeDeltasFromTheFirstRecord', async () => {
    const buf = await encodeRecordBatch({
      records: [
        { timestamp: 1_700_000_000_500n, key: null, value: Buffer.from('a') },
        { timestamp: 1_700_000_000_000, key: null, value: Buffer.from('b') },
        { timestamp: 1_700_000_009_000, key: null, value: Buffer.from('c') },
      ],
    });
    const { header, records } = await decodeRecordBatch(buf);
    expect(header.baseTimestamp).toBe(1_700_000_000_500n);
    expect(header.maxTimestamp).toBe(1_700_000_009_000n);
    expect(records.map((r) => recordTimestamp(header, r))).toEqual([1_700_000_000_500n, 1_700_000_000_000n, 1_700_000_009_000n]);
  });

  it('writesTheProducerDefaultsForANonIdempotentBatch', async () => {
    const { header, attributes } = await decodeRecordBatch(await encodeRecordBatch({ baseTimestamp: 5, records: [{ key: null, value: null }] }));
    expect(header).toMatchObject({ baseOffset: 0n, partitionLeaderEpoch: -1, magic: 2, producerId: -1n, producerEpoch: -1, baseSequence: -1 });
    expect(attributes).toEqual({
      compression: CompressionType.None,
      timestampType: TimestampType.CreateTime,
      isTransactional: false,
      isControl: false,
      hasDeleteHorizon: false,
    });
  });

  it('keepsIdempotentAndTransactionalFields', async () => {
    const buf = await encodeRecordBatch({
      baseOffset: 1000n,
      partitionLeaderEpoch: 7,
      producerId: 123456789012n,
      producerEpoch: 3,
      baseSequence: 42,
      isTransactional: true,
      compression: CompressionType.Lz4,
      baseTimestamp: 1,
      records: [
        { key: null, value: Buffer.from('x') },
        { key: null, value: Buffer.from('y') },
      ],
    });
    const { header, attributes, records } = await decodeRecordBatch(buf);
    expect(header).toMatchObject({ baseOffset: 1000n, partitionLeaderEpoch: 7, producerId: 123456789012n, producerEpoch: 3, baseSequence: 42 });
    expect(attributes.isTransactional).toBe(true);
    expect(attributes.compression).toBe(CompressionType.Lz4);
    expect(records.map((r) => recordOffset(header, r))).toEqual([1000n, 1001n]);
  });

  it('logAppendTimeGivesEveryRecordTheMaxTimestamp', async () => {
    const buf = await encodeRecordBatch({
      timestampType: TimestampType.LogAppendTime,
      baseTimestamp: 100,
      records: [
        { timestampDelta: 0, key: null, value: null },
        { timestampDelta: 50, key: null, value: null },
      ],
    });
    const { header, attributes, records } = await decodeRecordBatch(buf);
    expect(attributes.timestampType).toBe(TimestampType.LogAppendTime);
    expect(records.map((r) => recordTimestamp(header, r))).toEqual([150n, 150n]);
  });

  it('keepsOffsetDeltaGapsAndALargerLastOffsetDeltaAsCompactionLeavesThem', async () => {
    const buf = await encodeRecordBatch({
      baseTimestamp: 0,
      lastOffsetDelta: 9,
      records: [
        { offsetDelta: 2, key: Buffer.from('a'), value: null },
        { offsetDelta: 5, key: Buffer.from('b'), value: Buffer.from('v') },
      ],
    });
    const { header, records } = await decodeRecordBatch(buf);
    expect(header.lastOffsetDelta).toBe(9);
    expect(records.map((r) => r.offsetDelta)).toEqual([2, 5]);
  });

  it('refusesWhatKafkaCannotCarry', async () => {
    await expect(encodeRecordBatch({ records: [] })).rejects.toThrow(RangeError);
    await expect(encodeRecordBatch({ records: [{ offsetDelta: -1, key: null, value: null }] })).rejects.toThrow(/offsetDelta -1/);
    await expect(encodeRecordBatch({ records: [{ offsetDelta: 2 ** 31, key: null, value: null }] })).rejects.toThrow(RangeError);
    await expect(
      encodeRecordBatch({
        lastOffsetDelta: 0,
        records: [
          { key: null, value: null },
          { key: null, value: null },
        ],
      }),
    ).rejects.toThrow(/lastOffsetDelta 0/);
    await expect(encodeRecordBatch({ baseTimestamp: 0, records: [{ timestamp: 2 ** 60, key: null, value: null }] })).rejects.toThrow(/timestamp delta/);
    await expect(encodeRecordBatch({ compression: 6 as CompressionType, records: [{ key: null, value: null }] })).rejects.toThrow(/compression type 6/);
  });

  it('decodesKeysAndValuesAsViewsOfTheBatch', async () => {
    const buf = await encodeRecordBatch({ baseTimestamp: 0, records: [{ key: Buffer.from('key'), value: Buffer.from('value') }] });
    const { records } = await decodeRecordBatch(buf);
    expect(records[0]!.value!.buffer).toBe(buf.buffer);
  });

  it('aSmallBatchOwnsItsArrayBufferSoItCanBeTransferred', async () => {
    const first = await encodeRecordBatch({ baseTimestamp: 0, records: [{ key: null, value: Buffer.from('a') }] });
    const second = await encodeRecordBatch({ baseTimestamp: 0, records: [{ key: null, value: Buffer.from('b') }] });
    expect(first.byteOffset).toBe(0);
    expect(first.buffer.byteLength).toBe(first.length);
    structuredClone(first.buffer, { transfer: [first.buffer] });
    expect(first.length).toBe(0);
    expect((await decodeRecordBatch(second)).records[0]!.value).toEqual(Buffer.from('b'));
  });
});

describe('encodeUncompressedRecordBatch', () => {
  it('writesTheBytesEncodeRecordBatchWritesWithoutCompression', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordInput, { minLength: 1, maxLength: 20 }), baseTimestamp, async (records, base) => {
        const batch = { records, baseTimestamp: base, producerId: 7n, baseSequence: 3 };
        const sync = encodeUncompressedRecordBatch(batch);
        expect(sync.toString('hex')).toBe((await encodeRecordBatch(batch)).toString('hex'));
        expectSameRecords(await decodeRecordBatch(sync), records);
      }),
      { numRuns: 50 },
    );
  });

  it('refusesACompressedBatch', () => {
    const records = [{ key: null, value: Buffer.from('v') }];
    expect(() => encodeUncompressedRecordBatch({ records, compression: CompressionType.Zstd })).toThrow('encodeUncompressedRecordBatch writes no compression, not zstd');
  });
});
