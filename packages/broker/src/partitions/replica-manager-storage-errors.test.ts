import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ZERO_UUID, readBatchHeader } from '@kstream/protocol';
import { LogClosedError, nodeFileSystem, type FileSystem } from '@kstream/log-storage';
import { assignment, batch, closeManager, openManager, recordingLogger, tempDir } from './partitions.test-support.js';
import type { ReplicaManager } from './replica-manager.js';

/** The real file system, with writes that fail ENOSPC while `full` (as a full disk's do) until `free`. */
function diskThatFills(): { fileSystem: FileSystem; fill(): void; free(): void } {
  let full = false;
  const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const fileSystem: FileSystem = {
    ...nodeFileSystem,
    writev: (fd, buffers, position) => (full ? Promise.reject(enospc()) : nodeFileSystem.writev(fd, buffers, position)),
    writevSync: (fd, buffers, position) => {
      if (full) throw enospc();
      return nodeFileSystem.writevSync(fd, buffers, position);
    },
  };
  return { fileSystem, fill: () => (full = true), free: () => (full = false) };
}

const FAST_RETRY = { initialMs: 5, maxMs: 20 };

async function fetchAll(manager: ReplicaManager, topic: string): Promise<{ errorCode: number; baseOffsets: bigint[] }> {
  const [result] = await manager.fetchMessages({
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    readCommitted: false,
    partitions: [{ topic, topicId: ZERO_UUID, partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 }],
  });
  const baseOffsets: bigint[] = [];
  for (let position = 0; position < result!.records.length; ) {
    const header = readBatchHeader(result!.records, position)!;
    baseOffsets.push(header.baseOffset);
    position += header.sizeInBytes;
  }
  return { errorCode: result!.errorCode, baseOffsets };
}

describe('ReplicaManager on a full disk', () => {
  it('closeOnFullDisk: a close that cannot write its checkpoints still closes every log, then fails with the storage error', async () => {
    const disk = diskThatFills();
    const manager = await openManager({ fileSystem: disk.fileSystem });
    await manager.applyAssignment(assignment('orders'));
    await manager.appendRecords('orders', 0, await batch(['a']), 1, 1000);
    const log = manager.partition('orders', 0)!.log;
    disk.fill();
    await expect(closeManager(manager)).rejects.toMatchObject({ name: 'KafkaStorageError', code: 'ENOSPC' });
    await expect(log.read(0n)).rejects.toBeInstanceOf(LogClosedError);
  });

  it('deleteTopicOnFullDisk: deleting a topic while the disk is full removes its partition directories', async () => {
    const logDir = tempDir();
    const disk = diskThatFills();
    const manager = await openManager({ logDir, fileSystem: disk.fileSystem });
    const orders = assignment('orders');
    await manager.applyAssignment(orders);
    for (let i = 0; i < 3; i++) await manager.appendRecords('orders', 0, await batch([`value-${i}`.padEnd(5000, '.')]), 1, 1000);
    disk.fill();
    await manager.removeTopic(orders.state.topicId);
    await expect.poll(() => readdirSync(logDir).filter((name) => name.startsWith('orders-0'))).toEqual([]);
    expect((await manager.appendRecords('orders', 0, await batch(['x']), 1, 1000)).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    disk.free();
  });

  it('offlineAtStartComesBack: a partition whose log cannot open on a full disk is offline, retried, and back with every acknowledged batch once space returns', async () => {
    const logDir = tempDir();
    const disk = diskThatFills();
    const before = await openManager({ logDir, fileSystem: disk.fileSystem });
    await before.applyAssignment(assignment('orders'));
    const acknowledged: bigint[] = [];
    for (let i = 0; i < 5; i++) {
      const result = await before.appendRecords('orders', 0, await batch([`value-${i}`.padEnd(5000, '.')]), 1, 1000);
      expect(result.errorCode).toBe(ErrorCode.NONE);
      acknowledged.push(result.baseOffset);
    }
    disk.fill();
    expect((await before.appendRecords('orders', 0, await batch(['refused']), 1, 1000)).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    // The shutdown cannot flush: the next start has to recover, which writes (index files).
    await expect(closeManager(before)).rejects.toMatchObject({ code: 'ENOSPC' });

    const logger = recordingLogger();
    const after = await openManager({ logDir, fileSystem: disk.fileSystem, logger, offlineRetryBackoff: FAST_RETRY });
    await after.applyAssignment(assignment('orders'));
    expect(after.partition('orders', 0)).toBeUndefined();
    expect((await after.appendRecords('orders', 0, await batch(['x']), 1, 1000)).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect((await fetchAll(after, 'orders')).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    // Several retries and requests fail meanwhile; the partition going offline is logged once.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(logger.lines.filter((line) => line.includes('offline'))).toEqual([expect.stringMatching(/^ERROR Failed to open a partition log: .*"partition":"orders-0".*ENOSPC/)]);

    disk.free();
    await expect.poll(() => after.partition('orders', 0)).toBeDefined();
    expect(await fetchAll(after, 'orders')).toEqual({ errorCode: ErrorCode.NONE, baseOffsets: acknowledged });
    expect((await after.appendRecords('orders', 0, await batch(['next']), 1, 1000)).baseOffset).toBe(BigInt(acknowledged.length));
    expect(logger.lines.filter((line) => line.includes('offline'))).toHaveLength(1);
    expect(logger.lines.filter((line) => line.startsWith('INFO Partition back online'))).toHaveLength(1);
  });

  it('offlineAtRuntimeComesBack: a partition assigned while the disk is full comes online once space returns, without another assignment', async () => {
    const disk = diskThatFills();
    const manager = await openManager({ fileSystem: disk.fileSystem, offlineRetryBackoff: FAST_RETRY });
    disk.fill();
    await manager.applyAssignment(assignment('orders'));
    expect((await manager.appendRecords('orders', 0, await batch(['x']), 1, 1000)).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    disk.free();
    await expect.poll(() => manager.partition('orders', 0)).toBeDefined();
    expect((await manager.appendRecords('orders', 0, await batch(['a']), 1, 1000)).errorCode).toBe(ErrorCode.NONE);
  });

  it('offlineRemovedStopsRetrying: a partition no longer assigned while offline is not hosted by a later retry', async () => {
    const logDir = tempDir();
    const disk = diskThatFills();
    const manager = await openManager({ logDir, fileSystem: disk.fileSystem, offlineRetryBackoff: FAST_RETRY });
    disk.fill();
    const orders = assignment('orders');
    await manager.applyAssignment(orders);
    await manager.removeTopic(orders.state.topicId);
    disk.free();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(manager.partition('orders', 0)).toBeUndefined();
    expect((await manager.appendRecords('orders', 0, await batch(['x']), 1, 1000)).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});
