import { describe, expect, it, vi } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { logConfig } from './log-config.js';
import { LogDirectory } from './log-directory.js';
import { recordingLogger } from './partition-log.test-support.js';
import type { PartitionLog } from './partition-log.js';
import { batchesIn, makeBatch } from './record-batch.test-support.js';
import { CorruptSegmentError } from './storage-errors.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';

// The recovery point reaches recovery-point-offset-checkpoint when a rolled
// segment has been flushed, not only at the periodic checkpoint: a crash
// then recovers only the active segment, and corruption in a rolled one is
// flushed data, kept and refused on read.
const CONFIG = logConfig({ segmentBytes: 400 }); // four 96-byte batches (12 offsets) a segment
const BATCH = 96;

async function fill(log: PartitionLog, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await log.appendAsLeader(makeBatch({ records: 3, bodyBytes: 35, fill: i }), 0);
}

function recoveryPointFile(dir: string): string {
  return readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8');
}

describe('LogDirectory recovery point checkpoint', () => {
  it('recoveryPointCheckpointedAtRoll: the flush after a roll writes the new recovery point to the checkpoint file', async () => {
    const dir = tempLogDir();
    const logs = await LogDirectory.open(dir);
    const log = await logs.openLog('orders', 0, CONFIG);
    await fill(log, 5);
    expect(log.segmentBaseOffsets()).toEqual([0n, 12n]);
    await vi.waitFor(() => expect(recoveryPointFile(dir)).toBe('0\n1\norders 0 12\n'));
    await logs.close();
  });

  it('crashAfterRollsKeepsDataAfterBitFlip: a flipped byte in the fifth of ten segments after a crash loses nothing else', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const logs = await LogDirectory.open(dir, { fileSystem: fs });
    const log = await logs.openLog('orders', 0, CONFIG);
    await fill(log, 40);
    expect(log.numberOfSegments).toBe(10);
    await vi.waitFor(() => expect(recoveryPointFile(dir)).toBe('0\n1\norders 0 108\n'));
    await fs.crash();
    const fifth = join(partitionDir(dir), '00000000000000000048.log');
    const bytes = readFileSync(fifth);
    bytes[BATCH + 80] ^= 0x01; // the batch of offsets 51-53
    writeFileSync(fifth, bytes);

    const logger = recordingLogger();
    const reopened = await LogDirectory.open(dir, { logger });
    const recovered = await reopened.openLog('orders', 0, CONFIG);
    expect(recovered.numberOfSegments).toBe(10);
    expect(recovered.logEndOffset).toBe(120n);
    let served = 0;
    for (let offset = 0n; offset < 120n; offset += 3n) {
      if (offset === 51n) {
        await expect(recovered.read(offset)).rejects.toBeInstanceOf(CorruptSegmentError);
        continue;
      }
      expect(batchesIn((await recovered.read(offset, { maxBytes: 1 })).records)[0]!.baseOffset).toBe(offset);
      served++;
    }
    expect(served).toBe(39);
    expect(logger.entries.filter((e) => e.msg.startsWith('Truncated'))).toEqual([]);
    await reopened.close();
  });

  it('truncationCheckpointsTheRecoveryPoint: a truncation below the recovery point writes it at once', async () => {
    const dir = tempLogDir();
    const logs = await LogDirectory.open(dir);
    const log = await logs.openLog('orders', 0, CONFIG);
    await fill(log, 6);
    await log.flush();
    await logs.checkpoint();
    expect(recoveryPointFile(dir)).toBe('0\n1\norders 0 18\n');
    await log.truncateTo(9n);
    expect(recoveryPointFile(dir)).toBe('0\n1\norders 0 9\n');
    await logs.close();
  });

  it('idleCheckpointWritesNothing: a checkpoint with no offset moved since the last one leaves the files alone', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const logs = await LogDirectory.open(dir, { fileSystem: fs });
    const log = await logs.openLog('orders', 0, CONFIG);
    await fill(log, 2);
    await log.flush();
    await logs.checkpoint();
    const writes = fs.writeCalls.length;
    await logs.checkpoint();
    await logs.checkpoint();
    expect(fs.writeCalls.length).toBe(writes);
    await fill(log, 1);
    await log.flush();
    await logs.checkpoint();
    expect(fs.writeCalls.length).toBeGreaterThan(writes);
    expect(recoveryPointFile(dir)).toBe('0\n1\norders 0 9\n');
    await logs.close();
  });
});
