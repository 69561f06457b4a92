import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { baseTimestamp as baseTimestampArb, bytes, nullableBytes } from './record-arbitraries.test-support.js';
import { compressionName } from './compression.js';
import { kafkajsCodecMissing, kafkajsDecodeBatch, kafkajsEncodeBatch, type KafkajsBatchInput } from './kafkajs.test-support.js';
import { CompressionType, validateBatch } from './record-batch-header.js';
import { decodeRecordBatch, encodeRecordBatch } from './record-batch.js';

const COMPRESSIONS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

for (const [type, reason] of kafkajsCodecMissing) {
  console.log(`skipping kafkajs vectors for ${compressionName(type)}: ${reason}`);
}

/** kafkajs keys headers by name in an object, so names are unique and never integer-like (objects reorder those). */
const headers = fc
  .uniqueArray(fc.record({ key: fc.string({ maxLength: 6 }).map((k) => `h-${k}`), value: bytes(16) }), {
    selector: (h) => h.key,
    maxLength: 3,
  })
  .map((list) => Object.fromEntries(list.map((h) => [h.key, h.value])));

const kafkajsBatch = (compression: number): fc.Arbitrary<KafkajsBatchInput> =>
  fc
    .record({
      baseOffset: fc.bigInt({ min: 0n, max: 2n ** 50n }),
      baseTimestamp: baseTimestampArb,
      partitionLeaderEpoch: fc.integer({ min: 0, max: 1000 }),
      transactional: fc.boolean(),
      producerId: fc.bigInt({ min: -1n, max: 2n ** 40n }),
      producerEpoch: fc.integer({ min: 0, max: 32767 }),
      baseSequence: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      records: fc.array(fc.record({ timestampDelta: fc.integer({ min: -100_000, max: 100_000 }), key: nullableBytes(32), value: nullableBytes(128), headers }), {
        minLength: 1,
        maxLength: 20,
      }),
    })
    .map((b) => ({
      ...b,
      compression,
      records: b.records.map((r, i) => ({ ...r, offsetDelta: i })),
      lastOffsetDelta: b.records.length - 1,
      maxTimestamp: b.baseTimestamp + Math.max(...b.records.map((r) => r.timestampDelta)),
    }));

/** The same batch as our encoder's input. */
function ourInput(batch: KafkajsBatchInput) {
  return {
    baseOffset: batch.baseOffset,
    baseTimestamp: batch.baseTimestamp,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
    isTransactional: batch.transactional,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    compression: batch.compression as CompressionType,
    records: batch.records.map((r) => ({
      timestampDelta: r.timestampDelta,
      key: r.key,
      value: r.value,
      headers: Object.entries(r.headers).map(([key, value]) => ({ key, value })),
    })),
  };
}

describe('RecordBatch vectors against kafkajs', () => {
  for (const compression of COMPRESSIONS) {
    const name = compressionName(compression);
    const missing = kafkajsCodecMissing.get(compression);

    it.skipIf(missing !== undefined)(`kafkajsBatchesDecodeWithOurs (${name})`, async () => {
      await fc.assert(
        fc.asyncProperty(kafkajsBatch(compression), async (batch) => {
          const buf = await kafkajsEncodeBatch(batch);
          expect(validateBatch(buf)).toEqual({ ok: true, size: buf.length });
          const { header, attributes, records } = await decodeRecordBatch(buf);
          expect(header).toMatchObject({
            baseOffset: batch.baseOffset,
            baseTimestamp: BigInt(batch.baseTimestamp),
            maxTimestamp: BigInt(batch.maxTimestamp),
            producerId: batch.producerId,
            producerEpoch: batch.producerEpoch,
            baseSequence: batch.baseSequence,
            recordCount: batch.records.length,
          });
          expect(attributes).toMatchObject({ compression, isTransactional: batch.transactional });
          expect(records.map((r) => ({ offsetDelta: r.offsetDelta, timestampDelta: r.timestampDelta, key: r.key, value: r.value, headers: r.headers }))).toEqual(
            ourInput(batch).records.map((r, i) => ({ ...r, offsetDelta: i })),
          );
        }),
        { numRuns: compression === CompressionType.None || compression === CompressionType.Gzip ? 60 : 15 },
      );
    });

    it.skipIf(missing !== undefined)(`oursDecodeWithKafkajs (${name})`, async () => {
      await fc.assert(
        fc.asyncProperty(kafkajsBatch(compression), async (batch) => {
          const decoded = await kafkajsDecodeBatch(await encodeRecordBatch(ourInput(batch)));
          expect(decoded).toMatchObject({
            firstOffset: String(batch.baseOffset),
            firstTimestamp: String(batch.baseTimestamp),
            maxTimestamp: String(batch.maxTimestamp),
            partitionLeaderEpoch: batch.partitionLeaderEpoch,
            inTransaction: batch.transactional,
            isControlBatch: false,
            lastOffsetDelta: batch.lastOffsetDelta,
            producerId: String(batch.producerId),
            producerEpoch: batch.producerEpoch,
            firstSequence: batch.baseSequence,
          });
          expect(decoded.records.map((r) => ({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers }))).toEqual(
            batch.records.map((r, i) => ({
              offset: String(batch.baseOffset + BigInt(i)),
              timestamp: String(batch.baseTimestamp + r.timestampDelta),
              key: r.key,
              value: r.value,
              headers: r.headers,
            })),
          );
        }),
        { numRuns: compression === CompressionType.None || compression === CompressionType.Gzip ? 60 : 15 },
      );
    });
  }

  it('nullHeaderValuesReachKafkajsAsNull', async () => {
    const decoded = await kafkajsDecodeBatch(await encodeRecordBatch({ baseTimestamp: 0, records: [{ key: null, value: null, headers: [{ key: 'gone', value: null }] }] }));
    expect(decoded.records[0]!.headers).toEqual({ gone: null });
  });

  it('byteExactWithKafkajsUncompressedAndGzip', async () => {
    await fc.assert(
      fc.asyncProperty(kafkajsBatch(CompressionType.None), fc.constantFrom(CompressionType.None, CompressionType.Gzip), async (batch, compression) => {
        const theirs = await kafkajsEncodeBatch({ ...batch, compression });
        const ours = await encodeRecordBatch(ourInput({ ...batch, compression }));
        expect(ours.toString('hex')).toBe(theirs.toString('hex'));
      }),
      { numRuns: 60 },
    );
  });
});

describe('a pinned RecordBatch', () => {
  // One record, key "k", value "hello", header h=v, at 2023-11-14T22:13:20Z,
  // written by hand field by field; the CRC is kafkajs's CRC32C of the bytes
  // from attributes on.
  const PINNED = Buffer.from(
    [
      '0000000000000000', // baseOffset 0
      '00000042', // batchLength 66
      'ffffffff', // partitionLeaderEpoch -1
      '02', // magic
      'c622acfa', // crc
      '0000', // attributes: no compression, CreateTime, not transactional or control
      '00000000', // lastOffsetDelta 0
      '0000018bcfe56800', // baseTimestamp 1700000000000
      '0000018bcfe56800', // maxTimestamp
      'ffffffffffffffff', // producerId -1
      'ffff', // producerEpoch -1
      'ffffffff', // baseSequence -1
      '00000001', // recordCount 1
      '20', // record length 16 (zigzag)
      '00', // attributes
      '00', // timestampDelta 0
      '00', // offsetDelta 0
      '02',
      '6b', // key length 1, "k"
      '0a',
      '68656c6c6f', // value length 5, "hello"
      '02', // one header
      '02',
      '68', // key length 1, "h"
      '02',
      '76', // value length 1, "v"
    ].join(''),
    'hex',
  );
  const input = {
    baseTimestamp: 1_700_000_000_000,
    records: [{ key: Buffer.from('k'), value: Buffer.from('hello'), headers: [{ key: 'h', value: Buffer.from('v') }] }],
  };

  it('ourEncoderWritesThePinnedBytes', async () => {
    expect((await encodeRecordBatch(input)).toString('hex')).toBe(PINNED.toString('hex'));
  });

  it('ourDecoderAndKafkajsReadThePinnedBytes', async () => {
    expect(validateBatch(PINNED)).toEqual({ ok: true, size: 78 });
    const { header, records } = await decodeRecordBatch(PINNED);
    expect(header).toMatchObject({ baseOffset: 0n, baseTimestamp: 1_700_000_000_000n, recordCount: 1, producerId: -1n });
    expect(records).toEqual([
      { attributes: 0, offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k'), value: Buffer.from('hello'), headers: [{ key: 'h', value: Buffer.from('v') }] },
    ]);
    const theirs = await kafkajsDecodeBatch(PINNED);
    expect(theirs.records[0]).toMatchObject({ offset: '0', timestamp: '1700000000000', key: Buffer.from('k'), value: Buffer.from('hello'), headers: { h: Buffer.from('v') } });
  });
});
