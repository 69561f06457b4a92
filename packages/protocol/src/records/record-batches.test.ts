import { describe, expect, it } from 'vitest';
import { CorruptRecordBatchError } from './record-batch-error.js';
import { BATCH_OFFSETS, CompressionType } from './record-batch-header.js';
import { decodeRecordBatches, recordBatchesIn } from './record-batches.js';
import { encodeRecordBatch } from './record-batch.js';

async function threeBatches(): Promise<Buffer[]> {
  return Promise.all(
    [CompressionType.None, CompressionType.Zstd, CompressionType.Snappy].map((compression, i) =>
      encodeRecordBatch({
        baseOffset: BigInt(i * 10),
        baseTimestamp: 0,
        compression,
        records: Array.from({ length: i + 1 }, (_, r) => ({ key: null, value: Buffer.from(`batch ${i} record ${r}`) })),
      }),
    ),
  );
}

describe('recordBatchesIn', () => {
  it('findsEveryBatchLaidEndToEnd', async () => {
    const batches = await threeBatches();
    const slices = [...recordBatchesIn(Buffer.concat(batches))];
    expect(slices.map((s) => s.position)).toEqual([0, batches[0]!.length, batches[0]!.length + batches[1]!.length]);
    expect(slices.map((s) => s.header.baseOffset)).toEqual([0n, 10n, 20n]);
    slices.forEach((s, i) => {
      expect(s.bytes).toEqual(batches[i]);
    });
  });

  it('skipsATrailingPartialBatchCutAnywhere', async () => {
    const batches = await threeBatches();
    const whole = Buffer.concat(batches.slice(0, 2));
    const last = batches[2]!;
    for (let cut = 0; cut < last.length; cut++) {
      const buf = Buffer.concat([whole, last.subarray(0, cut)]);
      expect([...recordBatchesIn(buf)].map((s) => s.header.baseOffset)).toEqual([0n, 10n]);
    }
  });

  it('yieldsNothingForNoBytes', () => {
    expect([...recordBatchesIn(Buffer.alloc(0))]).toEqual([]);
  });

  it('throwsOnALengthThatCannotFrameABatch', async () => {
    const batches = await threeBatches();
    const buf = Buffer.concat(batches);
    buf.writeInt32BE(5, batches[0]!.length + BATCH_OFFSETS.batchLength);
    const seen: bigint[] = [];
    expect(() => {
      for (const slice of recordBatchesIn(buf)) seen.push(slice.header.baseOffset);
    }).toThrow(CorruptRecordBatchError);
    expect(seen).toEqual([0n]);
  });
});

describe('decodeRecordBatches', () => {
  it('decodesAFetchResponsesRecordsFieldWithATrailingPartialBatch', async () => {
    const batches = await threeBatches();
    const buf = Buffer.concat([...batches, batches[0]!.subarray(0, 70)]);
    const decoded = await decodeRecordBatches(buf);
    expect(decoded.map((b) => b.records.map((r) => r.value!.toString()))).toEqual([
      ['batch 0 record 0'],
      ['batch 1 record 0', 'batch 1 record 1'],
      ['batch 2 record 0', 'batch 2 record 1', 'batch 2 record 2'],
    ]);
  });

  it('aCorruptWholeBatchIsAnError', async () => {
    const batches = await threeBatches();
    const buf = Buffer.concat(batches);
    buf[buf.length - 1]! ^= 0xff;
    await expect(decodeRecordBatches(buf)).rejects.toThrow(/base offset 20.*bad-crc/);
  });
});
