import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';
import { openLog } from './partition-log.test-support.js';
import { PARTITION_METADATA_FILE } from './partition-metadata-file.js';
import { makeBatch } from './record-batch.test-support.js';

// partition.metadata is written with a new log's first flush of batches,
// under either flush policy, never for a log that holds none.

const TOPIC_ID = 'dm7Z0bzDS1m9xkPR1Sx2VQ';

function metadataFile(dir: string): string | undefined {
  const path = join(partitionDir(dir), PARTITION_METADATA_FILE);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

describe('PartitionLog partition.metadata', () => {
  it('idleLogNeverWritesIt: opened with a pending topic id, a log without batches flushes and closes without the file', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir, { pendingTopicId: TOPIC_ID });
    await log.flush();
    await log.close();
    expect(metadataFile(dir)).toBeUndefined();
  });

  it('firstFlushOfBatchesWritesIt: page-cache policy, written by the flush (or the close) that syncs the first batches, once', async () => {
    for (const how of ['flush', 'close'] as const) {
      const dir = tempLogDir();
      const fs = new FaultyFileSystem();
      const log = await openLog(dir, { pendingTopicId: TOPIC_ID, fileSystem: fs });
      await log.appendAsLeader(makeBatch(), 0);
      expect(metadataFile(dir)).toBeUndefined();
      if (how === 'flush') {
        await log.flush();
        expect(metadataFile(dir)).toBe(`version: 0\ntopic_id: ${TOPIC_ID}\n`);
        await log.appendAsLeader(makeBatch(), 0);
      }
      await log.close();
      expect(metadataFile(dir), how).toBe(`version: 0\ntopic_id: ${TOPIC_ID}\n`);
      expect(
        fs.renames.filter(([, to]) => to.endsWith(PARTITION_METADATA_FILE)),
        how,
      ).toHaveLength(1);
    }
  });

  it('durablePolicyWritesItBeforeTheFirstSync: an append under flush.policy durable resolves with the file on disk', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir, { pendingTopicId: TOPIC_ID, config: { flushPolicy: 'durable' } });
    await log.appendAsLeader(makeBatch(), 0);
    expect(metadataFile(dir)).toBe(`version: 0\ntopic_id: ${TOPIC_ID}\n`);
    await log.close();
  });

  it('aFailedWriteFailsTheFlushAndIsRetried: the batches are not called flushed before the file is there', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { pendingTopicId: TOPIC_ID, fileSystem: fs });
    await log.appendAsLeader(makeBatch(), 0);
    fs.failSyncs();
    await expect(log.flush()).rejects.toThrow();
    expect(log.recoveryPoint).toBe(0n);
    fs.heal();
    await log.flush();
    expect(log.recoveryPoint).toBe(1n);
    expect(metadataFile(dir)).toBe(`version: 0\ntopic_id: ${TOPIC_ID}\n`);
    await log.close();
  });
});
