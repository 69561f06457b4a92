import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordTimestamp, TimestampType } from './record-batch-attributes.js';
import {
  BATCH_HEADER_SIZE,
  BATCH_OFFSETS,
  CompressionType,
  lastOffsetOf,
  readBatchHeader,
  setBaseOffset,
  setMaxTimestampAndCrc,
  setPartitionLeaderEpoch,
  validateBatch,
} from './record-batch-header.js';
import { decodeRecordBatch, encodeRecordBatch } from './record-batch.js';

function sampleBatch(compression: CompressionType = CompressionType.None): Promise<Buffer> {
  return encodeRecordBatch({
    baseOffset: 500n,
    partitionLeaderEpoch: 4,
    producerId: 99n,
    producerEpoch: 2,
    baseSequence: 10,
    baseTimestamp: 1_700_000_000_000,
    compression,
    records: [
      { timestampDelta: 0, key: Buffer.from('a'), value: Buffer.from('1'), headers: [{ key: 'h', value: Buffer.from('x') }] },
      { timestampDelta: 25, key: null, value: Buffer.from('22') },
      { timestampDelta: 10, key: Buffer.from('c'), value: null },
    ],
  });
}

describe('readBatchHeader', () => {
  it('readsEveryFieldInPlace', async () => {
    const buf = await sampleBatch();
    expect(readBatchHeader(buf)).toEqual({
      baseOffset: 500n,
      sizeInBytes: buf.length,
      partitionLeaderEpoch: 4,
      magic: 2,
      crc: buf.readUInt32BE(BATCH_OFFSETS.crc),
      attributes: 0,
      lastOffsetDelta: 2,
      baseTimestamp: 1_700_000_000_000n,
      maxTimestamp: 1_700_000_000_025n,
      producerId: 99n,
      producerEpoch: 2,
      baseSequence: 10,
      recordCount: 3,
    });
  });

  it('readsABatchAtAPosition', async () => {
    const buf = await sampleBatch();
    const two = Buffer.concat([buf, buf]);
    expect(readBatchHeader(two, buf.length)?.baseOffset).toBe(500n);
  });

  it('returnsUndefinedBelowTheFixedHeader', async () => {
    const buf = await sampleBatch();
    expect(readBatchHeader(buf.subarray(0, BATCH_HEADER_SIZE - 1))).toBeUndefined();
    expect(readBatchHeader(buf, buf.length - BATCH_HEADER_SIZE + 1)).toBeUndefined();
    expect(readBatchHeader(buf.subarray(0, BATCH_HEADER_SIZE))).toBeDefined();
  });

  it('lastOffsetOfAddsTheDelta', () => {
    expect(lastOffsetOf({ baseOffset: 2n ** 40n, lastOffsetDelta: 9 })).toBe(2n ** 40n + 9n);
  });
});

describe('validateBatch', () => {
  it('acceptsAWholeBatchWithEveryCodec', async () => {
    for (const compression of [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
      const buf = await sampleBatch(compression);
      expect(validateBatch(buf)).toEqual({ ok: true, size: buf.length });
    }
  });

  it('reportsAnIncompleteBatchWithTheBytesNeeded', async () => {
    const buf = await sampleBatch();
    expect(validateBatch(buf.subarray(0, 30))).toEqual({ ok: false, problem: { kind: 'incomplete', needed: BATCH_HEADER_SIZE, available: 30 } });
    expect(validateBatch(buf.subarray(0, buf.length - 1))).toEqual({
      ok: false,
      problem: { kind: 'incomplete', needed: buf.length, available: buf.length - 1 },
    });
  });

  it('reportsALengthBelowTheHeader', async () => {
    const buf = await sampleBatch();
    for (const batchLength of [-1, 0, BATCH_HEADER_SIZE - 13]) {
      buf.writeInt32BE(batchLength, BATCH_OFFSETS.batchLength);
      expect(validateBatch(buf)).toEqual({ ok: false, problem: { kind: 'bad-length', batchLength } });
    }
  });

  it('reportsLegacyMagic', async () => {
    const buf = await sampleBatch();
    buf.writeInt8(1, BATCH_OFFSETS.magic);
    expect(validateBatch(buf)).toEqual({ ok: false, problem: { kind: 'bad-magic', magic: 1 } });
  });

  it('crcCoversAttributesToTheEndAndNothingBefore', async () => {
    for (const compression of [CompressionType.None, CompressionType.Zstd]) {
      const original = await sampleBatch(compression);
      for (let at = 0; at < original.length; at++) {
        const buf = Buffer.from(original);
        buf[at]! ^= 0x01;
        const result = validateBatch(buf);
        const field =
          at < BATCH_OFFSETS.batchLength
            ? 'baseOffset'
            : at < BATCH_OFFSETS.partitionLeaderEpoch
              ? 'batchLength'
              : at < BATCH_OFFSETS.magic
                ? 'partitionLeaderEpoch'
                : at === BATCH_OFFSETS.magic
                  ? 'magic'
                  : 'crc or covered';
        if (field === 'baseOffset' || field === 'partitionLeaderEpoch') expect(result, `byte ${at}`).toEqual({ ok: true, size: buf.length });
        if (field === 'magic') expect(result).toMatchObject({ ok: false, problem: { kind: 'bad-magic' } });
        if (field === 'crc or covered') expect(result, `byte ${at}`).toMatchObject({ ok: false, problem: { kind: 'bad-crc' } });
      }
    }
  });

  it('anyFlipFromAttributesOnwardFailsTheCrc', async () => {
    const original = await sampleBatch(CompressionType.Gzip);
    fc.assert(
      fc.property(fc.integer({ min: BATCH_OFFSETS.attributes, max: original.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, mask) => {
        const buf = Buffer.from(original);
        buf[at]! ^= mask;
        expect(validateBatch(buf)).toMatchObject({ ok: false, problem: { kind: 'bad-crc' } });
      }),
      { numRuns: 200 },
    );
  });
});

describe('in-place rewrites', () => {
  it('setBaseOffsetAndPartitionLeaderEpochKeepTheBatchValid', async () => {
    const buf = await sampleBatch(CompressionType.Snappy);
    setBaseOffset(buf, 0, 123_456_789_012n);
    setPartitionLeaderEpoch(buf, 0, 17);
    expect(validateBatch(buf).ok).toBe(true);
    const { header, records } = await decodeRecordBatch(buf);
    expect(header.baseOffset).toBe(123_456_789_012n);
    expect(header.partitionLeaderEpoch).toBe(17);
    expect(records.map((r) => r.value?.toString() ?? null)).toEqual(['1', '22', null]);
  });

  it('rewritesABatchInsideALargerBuffer', async () => {
    const batch = await sampleBatch();
    const buf = Buffer.concat([Buffer.alloc(5), batch, Buffer.alloc(3)]);
    setBaseOffset(buf, 5, 1n);
    setMaxTimestampAndCrc(buf, 5, 42n, true);
    expect(validateBatch(buf, 5)).toEqual({ ok: true, size: batch.length });
    expect(readBatchHeader(buf, 5)).toMatchObject({ baseOffset: 1n, maxTimestamp: 42n });
  });

  it('setMaxTimestampAndCrcStampsLogAppendTime', async () => {
    const buf = await sampleBatch(CompressionType.Lz4);
    setMaxTimestampAndCrc(buf, 0, 1_800_000_000_000n, true);
    expect(validateBatch(buf).ok).toBe(true);
    const { header, attributes, records } = await decodeRecordBatch(buf);
    expect(attributes.timestampType).toBe(TimestampType.LogAppendTime);
    expect(attributes.compression).toBe(CompressionType.Lz4);
    expect(records.map((r) => recordTimestamp(header, r))).toEqual([1_800_000_000_000n, 1_800_000_000_000n, 1_800_000_000_000n]);
  });

  it('setMaxTimestampAndCrcKeepsCreateTime', async () => {
    const buf = await sampleBatch();
    setMaxTimestampAndCrc(buf, 0, 1_700_000_000_030n, false);
    expect(validateBatch(buf).ok).toBe(true);
    expect((await decodeRecordBatch(buf)).attributes.timestampType).toBe(TimestampType.CreateTime);
  });

  it('setMaxTimestampAndCrcRefusesABatchLongerThanTheBuffer', async () => {
    const buf = await sampleBatch();
    expect(() => setMaxTimestampAndCrc(buf.subarray(0, buf.length - 1), 0, 1n, true)).toThrow(RangeError);
    buf.writeInt32BE(3, BATCH_OFFSETS.batchLength);
    expect(() => setMaxTimestampAndCrc(buf, 0, 1n, true)).toThrow(/claims 15 bytes/);
  });
});
