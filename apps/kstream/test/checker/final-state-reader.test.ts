// A replica as the checker reads it from disk: every batch with its bytes as
// stored, its records' offsets and values, and the high watermark from the
// broker's replication-offset-checkpoint.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LogDirectory, logConfig, OffsetCheckpointFile, partitionDirName } from '@kstream/log-storage';
import { encodeRecordBatch } from '@kstream/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../../src/cluster.test-support.js';
import { readReplicaOnDisk } from './final-state-reader.test-support.js';

describe('readReplicaOnDisk', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await makeTempDir('replica-on-disk');
  });

  afterEach(async () => {
    await removeDir(dataDir);
  });

  it('readsEveryBatchAcrossSegmentsByteForByte: offsets, values and bytes as the segment files hold them, high watermark from the checkpoint', async () => {
    const logDir = join(dataDir, 'broker-2');
    const dir = await LogDirectory.open(logDir);
    // Batches of ~100 bytes and 300-byte segments: the log rolls, so the read walks several segments.
    const log = await dir.openLog('orders', 3, logConfig({ segmentBytes: 300 }));
    const values = Array.from({ length: 7 }, (_, i) => Array.from({ length: (i % 3) + 1 }, (_, j) => `v${i}-${j}`));
    for (const batch of values) {
      await log.appendAsLeader(await encodeRecordBatch({ records: batch.map((v) => ({ key: null, value: Buffer.from(v) })) }), 4);
    }
    expect(log.numberOfSegments).toBeGreaterThan(1);
    await new OffsetCheckpointFile(dir.io, join(logDir, 'replication-offset-checkpoint')).write([{ topic: 'orders', partition: 3, offset: 9n }]);
    await dir.close();

    const replica = await readReplicaOnDisk(dataDir, 2, 'orders', 3, true);
    expect(replica?.highWatermark).toBe(9n);
    expect(replica?.inSync).toBe(true);
    expect(replica?.batches.flatMap((b) => b.records.map((r) => `${r.offset}:${r.value}`))).toEqual(values.flat().map((v, i) => `${i}:${v}`));
    expect(replica?.batches.map((b) => [b.baseOffset, b.lastOffset])).toEqual([
      [0n, 0n],
      [1n, 2n],
      [3n, 5n],
      [6n, 6n],
      [7n, 8n],
      [9n, 11n],
      [12n, 12n],
    ]);
    const partitionDir = join(logDir, partitionDirName('orders', 3));
    const segments = (await readdir(partitionDir)).filter((f) => f.endsWith('.log')).sort();
    const onDisk = Buffer.concat(await Promise.all(segments.map((f) => readFile(join(partitionDir, f)))));
    expect(Buffer.concat(replica!.batches.map((b) => b.bytes)).equals(onDisk)).toBe(true);
  });

  it('noReplicaWithoutItsDirectory: a broker that does not host the partition has no replica to read', async () => {
    expect(await readReplicaOnDisk(dataDir, 1, 'orders', 0, false)).toBeNull();
  });
});
