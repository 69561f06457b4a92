import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';
import { CorruptRecordBatchError, type CorruptRecordBatchReason } from './record-batch-error.js';
import { BATCH_HEADER_SIZE, BATCH_LENGTH_PREFIX, BATCH_OFFSETS, CompressionType } from './record-batch-header.js';
import { decodeRecordBatch, encodeRecordBatch } from './record-batch.js';

/** Recomputes batchLength and the CRC, so a test's tampering is what the decoder sees rather than a CRC mismatch. */
function reseal(buf: Buffer): Buffer {
  buf.writeInt32BE(buf.length - BATCH_LENGTH_PREFIX, BATCH_OFFSETS.batchLength);
  buf.writeUInt32BE(crc32c(buf.subarray(BATCH_OFFSETS.attributes)), BATCH_OFFSETS.crc);
  return buf;
}

/** A valid header followed by a hand-written records section. */
async function batchWithSection(section: Buffer, recordCount: number, attributes = 0): Promise<Buffer> {
  const template = await encodeRecordBatch({ baseOffset: 77n, baseTimestamp: 0, records: [{ key: null, value: null }] });
  const buf = Buffer.concat([template.subarray(0, BATCH_HEADER_SIZE), section]);
  buf.writeInt32BE(recordCount, BATCH_OFFSETS.recordCount);
  buf.writeInt16BE(attributes, BATCH_OFFSETS.attributes);
  return reseal(buf);
}

async function expectCorrupt(buf: Buffer, reason: CorruptRecordBatchReason, message?: RegExp): Promise<void> {
  const error = await decodeRecordBatch(buf).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CorruptRecordBatchError);
  expect((error as CorruptRecordBatchError).reason).toBe(reason);
  if (message) expect((error as Error).message).toMatch(message);
}

// A record of body "00 00 00 01 01 00": attributes 0, timestampDelta 0,
// offsetDelta 0, null key, null value, no headers; its length varint is 0x0c (6).
const NULL_RECORD = Buffer.from('0c000000010100', 'hex');

describe('decodeRecordBatch on malformed bytes', () => {
  it('handWrittenSectionDecodesWhenWellFormed', async () => {
    const { records } = await decodeRecordBatch(await batchWithSection(NULL_RECORD, 1));
    expect(records).toEqual([{ attributes: 0, offsetDelta: 0, timestampDelta: 0, key: null, value: null, headers: [] }]);
  });

  it('truncatedAtEveryLength', async () => {
    for (const compression of [CompressionType.None, CompressionType.Gzip]) {
      const buf = await encodeRecordBatch({
        baseTimestamp: 0,
        compression,
        records: [{ key: Buffer.from('k'), value: Buffer.from('value'), headers: [{ key: 'h', value: Buffer.from('v') }] }],
      });
      for (let length = 0; length < buf.length; length++) await expectCorrupt(buf.subarray(0, length), 'truncated');
    }
  });

  it('recordsCutShortWithAConsistentHeader', async () => {
    const whole = await encodeRecordBatch({
      baseTimestamp: 0,
      records: [
        { key: Buffer.from('key'), value: Buffer.from('value'), headers: [{ key: 'h', value: Buffer.from('hv') }] },
        { key: null, value: Buffer.from('second') },
      ],
    });
    for (let length = BATCH_HEADER_SIZE; length < whole.length; length++) {
      const cut = reseal(Buffer.from(whole.subarray(0, length)));
      await expect(decodeRecordBatch(cut)).rejects.toBeInstanceOf(CorruptRecordBatchError);
    }
  });

  it('recordCountLying', async () => {
    await expectCorrupt(await batchWithSection(NULL_RECORD, 2), 'bad-record-count', /record count 2 exceeds what the 7-byte records section/);
    const oneRecord = await encodeRecordBatch({ baseTimestamp: 0, records: [{ key: null, value: Buffer.alloc(20) }] });
    oneRecord.writeInt32BE(2, BATCH_OFFSETS.recordCount);
    await expectCorrupt(reseal(oneRecord), 'truncated', /record 1: record length runs past the end/);
    await expectCorrupt(await batchWithSection(Buffer.concat([NULL_RECORD, NULL_RECORD]), 1), 'trailing-bytes');
    await expectCorrupt(await batchWithSection(NULL_RECORD, -1), 'bad-record-count', /negative record count -1/);
    await expectCorrupt(await batchWithSection(NULL_RECORD, 0x7fffffff), 'bad-record-count', /record count 2147483647 exceeds/);
  });

  it('recordCountLyingInsideACompressedBatch', async () => {
    const buf = await encodeRecordBatch({ baseTimestamp: 0, compression: CompressionType.Zstd, records: [{ key: null, value: null }] });
    buf.writeInt32BE(50, BATCH_OFFSETS.recordCount);
    await expectCorrupt(reseal(buf), 'bad-record-count');
  });

  it('varintOverflow', async () => {
    await expectCorrupt(await batchWithSection(Buffer.from('ffffffffff0100', 'hex'), 1), 'varint-overflow', /record length is longer than 5 bytes/);
    await expectCorrupt(await batchWithSection(Buffer.from('ffffffff1f0000', 'hex'), 1), 'varint-overflow');
    // A timestampDelta varlong of 11 bytes inside a record whose length covers it.
    const longVarlong = Buffer.from('2000ffffffffffffffffffff0100010100', 'hex');
    await expectCorrupt(await batchWithSection(longVarlong, 1), 'varint-overflow', /record 0: timestampDelta is longer than 10 bytes/);
    // zigzag 2^54 fits 64 bits but not a safe integer.
    const unsafe = Buffer.from('1c0080808080808080800100010100', 'hex');
    await expectCorrupt(await batchWithSection(unsafe, 1), 'varint-overflow', /beyond ±2\^53/);
  });

  it('negativeLengths', async () => {
    // zigzag: 1 = -1, 3 = -2.
    await expectCorrupt(await batchWithSection(Buffer.from('0c0000000301' + '00', 'hex'), 1), 'negative-length', /key length -2/);
    await expectCorrupt(await batchWithSection(Buffer.from('0c0000000103' + '00', 'hex'), 1), 'negative-length', /value length -2/);
    await expectCorrupt(await batchWithSection(Buffer.from('0c0000000101' + '01', 'hex'), 1), 'negative-length', /header count -1/);
    await expectCorrupt(await batchWithSection(Buffer.from('1000000001010201' + '01', 'hex'), 1), 'negative-length', /header key length -1/);
    await expectCorrupt(await batchWithSection(Buffer.from('01000000000000', 'hex'), 1), 'bad-record-length', /record length -1/);
  });

  it('recordLengthDisagreeingWithItsFields', async () => {
    // Says 7 bytes, the fields take 6, and one spare byte follows.
    await expectCorrupt(await batchWithSection(Buffer.from('0e00000001010000', 'hex'), 1), 'bad-record-length', /record length 7 but its fields take 6/);
    // Says 6 bytes, but the 4-byte key alone runs past them.
    await expectCorrupt(await batchWithSection(Buffer.from('0c00000008616161610100', 'hex'), 1), 'truncated', /record 0: key length 4 exceeds the 2 bytes left/);
  });

  it('badCrcIsRefusedUnlessVerificationIsOff', async () => {
    const buf = await encodeRecordBatch({ baseTimestamp: 0, records: [{ key: null, value: Buffer.from('v') }] });
    buf[buf.length - 2]! ^= 0xff; // the value's byte
    await expectCorrupt(buf, 'bad-crc');
    const { records } = await decodeRecordBatch(buf, { verifyCrc: false });
    expect(records).toHaveLength(1);
  });

  it('legacyMagicAndTrailingBytes', async () => {
    const buf = await encodeRecordBatch({ baseTimestamp: 0, records: [{ key: null, value: null }] });
    await expectCorrupt(Buffer.concat([buf, Buffer.alloc(3)]), 'trailing-bytes', /3 bytes follow/);
    buf.writeInt8(1, BATCH_OFFSETS.magic);
    await expectCorrupt(buf, 'bad-magic', /magic 1/);
    buf.writeInt8(2, BATCH_OFFSETS.magic);
    buf.writeInt32BE(10, BATCH_OFFSETS.batchLength);
    await expectCorrupt(buf, 'bad-length');
  });

  it('unknownCompressionAndGarbageCompressedRecords', async () => {
    await expectCorrupt(await batchWithSection(NULL_RECORD, 1, 5), 'unknown-compression', /compression type 5/);
    for (const compression of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
      await expectCorrupt(await batchWithSection(Buffer.from('this is not compressed at all'), 1, compression), 'bad-compressed-data');
    }
  });

  it('randomDamageIsACorruptBatchNeverACrash', async () => {
    const compressions = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];
    const originals = await Promise.all(
      compressions.map((compression) =>
        encodeRecordBatch({
          baseTimestamp: 0,
          compression,
          records: Array.from({ length: 5 }, (_, i) => ({
            key: Buffer.from(`k${i}`),
            value: Buffer.from(`value ${i}`.repeat(i + 1)),
            headers: [{ key: 'h', value: i % 2 ? null : Buffer.from('x') }],
          })),
        }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: originals.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        async (which, flips) => {
          const buf = Buffer.from(originals[which]!);
          const span = buf.length - BATCH_HEADER_SIZE;
          for (const [at, mask] of flips) buf[BATCH_HEADER_SIZE + (at % span)]! ^= mask;
          reseal(buf);
          try {
            await decodeRecordBatch(buf);
          } catch (error) {
            expect(error).toBeInstanceOf(CorruptRecordBatchError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
