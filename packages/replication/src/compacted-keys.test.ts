import { describe, expect, it } from 'vitest';
import { CompressionType, encodeRecordBatch, ErrorCode } from '@kstream/protocol';
import { batch, openPartition, partitionState, testContext } from './partition.test-support.js';
import { PartitionError } from './partition-errors.js';

function keyed(entries: [string | null, string][], compression: CompressionType = CompressionType.None): Promise<Buffer> {
  return encodeRecordBatch({ compression, records: entries.map(([key, value]) => ({ key: key === null ? null : Buffer.from(key), value: Buffer.from(value) })) });
}

async function compactedLeader() {
  return openPartition(testContext(1), partitionState({ replicas: [1] }), { 'cleanup.policy': 'compact' });
}

describe('produce to a compacted topic', () => {
  it('keylessRecordRefusedInvalidRecord: the whole produce, naming the partition; a compressed batch is looked into too', async () => {
    const partition = await compactedLeader();
    for (const records of [
      await batch('no key'),
      await keyed(
        [
          ['k', 'v'],
          [null, 'no key'],
        ],
        CompressionType.Gzip,
      ),
    ]) {
      const error = await partition.appendRecordsToLeader(records, 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PartitionError);
      expect((error as PartitionError).errorCode).toBe(ErrorCode.INVALID_RECORD);
      expect((error as PartitionError).message).toMatch(/Compacted topic cannot accept a record without a key: orders-0/);
    }
    expect(partition.log.logEndOffset).toBe(0n);
    expect((await partition.appendRecordsToLeader(await keyed([['k', 'v']], CompressionType.Lz4), 1)).firstOffset).toBe(0n);
  });

  it('keylessAcceptedUnderDelete: only compacted topics check keys', async () => {
    const partition = await openPartition(testContext(1), partitionState({ replicas: [1] }), { 'cleanup.policy': 'delete' });
    expect((await partition.appendRecordsToLeader(await batch('no key'), 1)).firstOffset).toBe(0n);
  });

  it('checkedProducesKeepTheirOrder: a slow check (a compressed batch) does not let a later produce append first', async () => {
    const partition = await compactedLeader();
    const big = await keyed(
      Array.from({ length: 2000 }, (_, i): [string, string] => [`k${i}`, 'x'.repeat(50)]),
      CompressionType.Zstd,
    );
    const [first, second] = await Promise.all([partition.appendRecordsToLeader(big, 1), partition.appendRecordsToLeader(await keyed([['after', 'v']]), 1)]);
    expect(first.firstOffset).toBe(0n);
    expect(second.firstOffset).toBe(2000n);
  });
});
