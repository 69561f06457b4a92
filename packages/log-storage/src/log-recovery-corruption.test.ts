import { describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BATCH_OFFSETS } from '@kstream/protocol';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { openLog, recordingLogger } from './partition-log.test-support.js';
import { batchesIn, makeBatch } from './record-batch.test-support.js';
import { CorruptSegmentError } from './storage-errors.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';
import type { PartitionLog } from './partition-log.js';

// Corruption found by recovery or by a read: the unflushed tail (past the
// recovery point) is cut at the first bad batch, as Kafka does; flushed data
// is never cut nor deleted for it — the bad batch is reported and refused,
// everything after it stays. Batches are 96 bytes of 3 records.
const BATCH = 96;
const CONFIG = { segmentBytes: 400 }; // four batches (12 offsets) a segment

async function fill(log: PartitionLog, count: number, epoch = 0): Promise<void> {
  for (let i = 0; i < count; i++) await log.appendAsLeader(makeBatch({ records: 3, bodyBytes: 35, fill: i, maxTimestamp: BigInt(1000 + i) }), epoch);
}

/** Every batch the log serves, reading on from each one the read refuses. */
async function readable(log: PartitionLog): Promise<{ fills: number[]; refused: bigint[] }> {
  const fills: number[] = [];
  const refused: bigint[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    try {
      const read = await log.read(offset, { maxBytes: 1 << 20 });
      expect(read.nextOffset, `read at ${offset}`).toBeGreaterThan(offset);
      fills.push(...batchesIn(read.records).map((b) => b.fill));
      offset = read.nextOffset;
    } catch (error) {
      expect(error).toBeInstanceOf(CorruptSegmentError);
      refused.push(offset);
      offset += 3n;
    }
  }
  return { fills, refused };
}

function segmentPath(dir: string, base: bigint): string {
  return join(partitionDir(dir), `${String(base).padStart(20, '0')}.log`);
}

function editFile(path: string, edit: (bytes: Buffer) => void): void {
  const bytes = readFileSync(path);
  edit(bytes);
  writeFileSync(path, bytes);
}

const range = (n: number) => [...Array(n).keys()];

describe('Log recovery and reads of corrupt batches', () => {
  it('garbageInFlushedSegmentKeepsLaterSegments: 1,000 bytes appended to the first of ten closed segments lose nothing', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir, { config: CONFIG });
    await fill(log, 40);
    expect(log.numberOfSegments).toBe(10);
    await log.close();
    const first = segmentPath(dir, 0n);
    appendFileSync(first, Buffer.alloc(1000, 0x5a));

    const logger = recordingLogger();
    const reopened = await openLog(dir, { config: CONFIG, recoveryPoint: 120n, logger });
    expect(reopened.numberOfSegments).toBe(10);
    expect(reopened.logEndOffset).toBe(120n);
    expect(await readable(reopened)).toEqual({ fills: range(40), refused: [] });
    // The garbage is kept on disk and never served: a read of the segment's last batch stops before it.
    expect(statSync(first).size).toBe(4 * BATCH + 1000);
    expect(batchesIn((await reopened.read(9n, { maxBytes: 1 << 20 })).records).map((b) => b.fill)).toEqual([3]);
    const error = logger.entries.find((e) => e.level === 'error');
    expect(error?.fields).toMatchObject({ partition: 'orders-0', segment: first, position: 4 * BATCH, bytes: 1000, firstOffset: 12n, endOffset: 12n });
    expect(logger.entries.filter((e) => e.msg.startsWith('Truncated'))).toEqual([]);
    await reopened.close();
  });

  it('bitFlipBelowRecoveryPointInItsSegment: a bad CRC in flushed data of the segment holding the recovery point is reported and walked past', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { config: CONFIG, fileSystem: fs });
    await fill(log, 6);
    await log.flush();
    expect(log.recoveryPoint).toBe(18n);
    await fill(log, 1);
    await fs.crash();
    editFile(segmentPath(dir, 12n), (bytes) => (bytes[80] ^= 0x01)); // offsets 12-14, below the recovery point

    const logger = recordingLogger();
    const reopened = await openLog(dir, { config: CONFIG, recoveryPoint: 18n, logger });
    expect(reopened.logEndOffset).toBe(21n);
    expect(await readable(reopened)).toEqual({ fills: [0, 1, 2, 3, 5, 0], refused: [12n] });
    expect(logger.entries.filter((e) => e.level === 'error').map((e) => e.fields)).toEqual([
      expect.objectContaining({ position: 0, firstOffset: 12n, problem: expect.stringMatching(/CRC32C mismatch/) }),
    ]);
    expect(logger.entries.filter((e) => e.msg.startsWith('Truncated'))).toEqual([]);
    await reopened.close();
  });

  it('flippedLengthBelowRecoveryPoint: flushed data that cannot be walked past is kept, the log goes on from the recovery point', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { config: CONFIG, fileSystem: fs });
    await fill(log, 6);
    await log.flush();
    await fill(log, 1);
    await fs.crash();
    editFile(segmentPath(dir, 12n), (bytes) => (bytes[BATCH_OFFSETS.batchLength + 1] ^= 0x40)); // offsets 12-14: its length

    const logger = recordingLogger();
    const reopened = await openLog(dir, { config: CONFIG, recoveryPoint: 18n, logger });
    expect(reopened.logEndOffset).toBe(18n);
    expect(reopened.segmentBaseOffsets()).toEqual([0n, 12n, 18n]);
    expect(await readable(reopened)).toEqual({ fills: [0, 1, 2, 3], refused: [12n, 15n] });
    expect(logger.entries.find((e) => e.level === 'error')?.fields).toMatchObject({ position: 0, firstOffset: 12n, endOffset: 18n });
    expect((await reopened.appendAsLeader(makeBatch(), 0)).firstOffset).toBe(18n);
    await reopened.close();
  });

  it('flippedBaseOffsetInUnflushedTail: recovery ends the log at the batch whose base offset does not follow on', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { fileSystem: fs });
    await fill(log, 6);
    await fs.crash();
    editFile(segmentPath(dir, 0n), (bytes) => (bytes[4 * BATCH + BATCH_OFFSETS.baseOffset + 7] ^= 0x08)); // 12 -> 4

    const logger = recordingLogger();
    const reopened = await openLog(dir, { logger });
    expect(reopened.logEndOffset).toBe(12n);
    expect(logger.entries.find((e) => e.msg.startsWith('Truncated'))?.fields).toMatchObject({
      offset: 12n,
      bytesDropped: 2 * BATCH,
      problem: expect.stringMatching(/base offset 4 does not follow on .*expected 12/),
    });
    await reopened.close();
  });

  it('flippedBaseOffsetInFlushedData: reads of its offsets fail, nothing is served under the wrong offsets', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await fill(log, 6);
    await log.close();
    editFile(segmentPath(dir, 0n), (bytes) => (bytes[2 * BATCH + BATCH_OFFSETS.baseOffset + 7] ^= 0x04)); // 6 -> 2

    const reopened = await openLog(dir, { recoveryPoint: 18n });
    expect(reopened.logEndOffset).toBe(18n);
    expect(batchesIn((await reopened.read(0n, { maxBytes: 1 << 20 })).records).map((b) => b.baseOffset)).toEqual([0n, 3n]);
    for (const offset of [6n, 7n, 9n, 15n]) {
      const error = await reopened.read(offset).catch((e: unknown) => e);
      expect(error, `read at ${offset}`).toBeInstanceOf(CorruptSegmentError);
      expect((error as CorruptSegmentError).problem).toMatch(/base offset 2 does not follow on/);
    }
    await reopened.close();
  });

  it('flippedEpochUpInUnflushedTail: the batch whose epoch spiked is where the log ends; the epoch cache never sees it', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { fileSystem: fs });
    await fill(log, 3, 1);
    await fill(log, 4, 2);
    const epochs = log.leaderEpochCache.entries().map((e) => ({ ...e }));
    expect(epochs).toEqual([
      { epoch: 1, startOffset: 0n },
      { epoch: 2, startOffset: 9n },
    ]);
    await fs.crash();
    editFile(segmentPath(dir, 0n), (bytes) => (bytes[4 * BATCH + BATCH_OFFSETS.partitionLeaderEpoch + 3] ^= 0x10)); // 2 -> 18

    const logger = recordingLogger();
    const reopened = await openLog(dir, { logger });
    expect(reopened.logEndOffset).toBe(12n);
    expect(reopened.leaderEpochCache.entries()).toEqual(epochs);
    expect(readFileSync(join(partitionDir(dir), 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n2\n1 0\n2 9\n');
    expect(logger.entries.find((e) => e.msg.startsWith('Truncated'))?.fields).toMatchObject({
      problem: expect.stringMatching(/partition leader epoch 2 is below the previous batch's 18/),
    });
    await reopened.close();
  });

  it('flippedEpochDownInUnflushedTail: a lower epoch ends the log and is never fed to the epoch cache', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { fileSystem: fs });
    await fill(log, 3, 2);
    await fill(log, 3, 3);
    await fs.crash();
    editFile(segmentPath(dir, 0n), (bytes) => (bytes[4 * BATCH + BATCH_OFFSETS.partitionLeaderEpoch + 3] ^= 0x02)); // 3 -> 1

    const reopened = await openLog(dir);
    expect(reopened.logEndOffset).toBe(12n);
    expect(reopened.leaderEpochCache.entries()).toEqual([
      { epoch: 2, startOffset: 0n },
      { epoch: 3, startOffset: 9n },
    ]);
    await reopened.close();
  });

  it('flippedEpochDownAtSegmentStart: recovery checks the first batch of a segment against the last of the one before', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { config: CONFIG, fileSystem: fs });
    await fill(log, 4, 2);
    await fill(log, 4, 3);
    expect(log.segmentBaseOffsets()).toEqual([0n, 12n]);
    await fs.crash();
    editFile(segmentPath(dir, 12n), (bytes) => (bytes[BATCH_OFFSETS.partitionLeaderEpoch + 3] ^= 0x02)); // offsets 12-14: 3 -> 1

    const logger = recordingLogger();
    const reopened = await openLog(dir, { config: CONFIG, logger });
    expect(reopened.logEndOffset).toBe(12n);
    expect(reopened.leaderEpochCache.entries()).toEqual([{ epoch: 2, startOffset: 0n }]);
    expect(logger.entries.find((e) => e.msg.startsWith('Truncated'))?.fields).toMatchObject({
      offset: 12n,
      problem: expect.stringMatching(/partition leader epoch 1 is below the previous batch's 2/),
    });
    await reopened.close();
  });

  it('flippedEpochInFlushedData: a read does not serve the batch whose epoch went down', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await fill(log, 3, 2);
    await fill(log, 3, 3);
    await log.close();
    editFile(segmentPath(dir, 0n), (bytes) => (bytes[4 * BATCH + BATCH_OFFSETS.partitionLeaderEpoch + 3] ^= 0x02)); // 3 -> 1

    const reopened = await openLog(dir, { recoveryPoint: 18n });
    const read = await reopened.read(9n, { maxBytes: 1 << 20 });
    expect(batchesIn(read.records).map((b) => [b.baseOffset, b.partitionLeaderEpoch])).toEqual([[9n, 3]]);
    await expect(reopened.read(12n)).rejects.toThrow(/partition leader epoch 1 is below the previous batch's 3/);
    expect(reopened.leaderEpochCache.entries()).toEqual([
      { epoch: 2, startOffset: 0n },
      { epoch: 3, startOffset: 9n },
    ]);
    await reopened.close();
  });
});
