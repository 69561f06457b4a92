import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanLog, defaultLogCleanerConfig, LogCleaner, LogDirIo, logConfig, PartitionLog } from '@kstream/log-storage';
import { encodeCoordinatorBatch } from './coordinator-batch.js';
import { loadCoordinatorPartition, type LoadedCoordinatorState } from './coordinator-load.js';
import type { CoordinatorRecord, GroupMetadataValue, OffsetAndMetadata } from './coordinator-record.js';

const DELETE_RETENTION_MS = 1_000;
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function group(generation: number): GroupMetadataValue {
  return { protocolType: 'consumer', generation, protocol: 'range', leader: `member-${generation}`, currentStateTimestamp: BigInt(generation), members: [] };
}

function committed(offset: bigint): OffsetAndMetadata {
  return { offset, leaderEpoch: 0, metadata: '', commitTimestamp: offset, expireTimestamp: -1n };
}

function commit(groupId: string, partition: number, offset: bigint): CoordinatorRecord {
  return { type: 'offset', key: { group: groupId, topic: 'orders', partition }, value: committed(offset) };
}

/** __consumer_offsets-0 as a coordinator loads it: every record from the log start to the log end. */
function load(log: PartitionLog): Promise<LoadedCoordinatorState> {
  return loadCoordinatorPartition(async (offset, maxBytes) => (await log.read(offset, { maxBytes })).records, log.logStartOffset, log.logEndOffset, 64 * 1024);
}

describe('a compacted __consumer_offsets partition', () => {
  it('compactedOffsetsReplayToTheSameState: the cleaned log loads as the whole history did, tombstoned keys absent, and is much smaller', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'kstream-offsets-replay-'));
    dirs.push(logDir);
    let now = 1_700_000_000_000;
    const log = await PartitionLog.open({
      logDir,
      topic: '__consumer_offsets',
      partition: 0,
      config: logConfig({ cleanupPolicy: ['compact'], segmentBytes: 16 * 1024, deleteRetentionMs: DELETE_RETENTION_MS, minCleanableDirtyRatio: 0 }),
      clock: () => now,
    });
    // 4 groups committing 6 partitions for 300 rounds, a rebalance every 50; group-3 and two of group-0's offsets deleted at the end.
    for (let round = 0; round < 300; round++) {
      const records: CoordinatorRecord[] = [];
      for (let g = 0; g < 4; g++) {
        if (round % 50 === 0) records.push({ type: 'group', group: `group-${g}`, value: group(round / 50) });
        for (let p = 0; p < 6; p++) records.push(commit(`group-${g}`, p, BigInt(round * 10 + p)));
      }
      await log.appendAsLeader(encodeCoordinatorBatch(records, BigInt(now)), 0);
    }
    const deletions: CoordinatorRecord[] = [
      { type: 'group', group: 'group-3', value: null },
      ...Array.from({ length: 6 }, (_, p): CoordinatorRecord => ({ type: 'offset', key: { group: 'group-3', topic: 'orders', partition: p }, value: null })),
      { type: 'offset', key: { group: 'group-0', topic: 'orders', partition: 4 }, value: null },
      { type: 'offset', key: { group: 'group-0', topic: 'orders', partition: 5 }, value: null },
    ];
    await log.appendAsLeader(encodeCoordinatorBatch(deletions, BigInt(now)), 0);
    await log.roll();
    const history = await load(log);
    expect(history.groups.has('group-3')).toBe(false);
    expect(history.offsets.has('group-3')).toBe(false);
    expect([...history.offsets.get('group-0')!.get('orders')!.keys()]).toEqual([0, 1, 2, 3]);
    const before = log.size;

    const cleaner = await LogCleaner.open({
      io: new LogDirIo(logDir),
      logs: () => [{ log, lastStableOffset: log.logEndOffset }],
      execute: (job) => cleanLog(job),
      config: defaultLogCleanerConfig,
      clock: () => now,
    });
    await cleaner.cleanFilthiestLog();
    expect(await load(log)).toEqual(history);
    // Past delete.retention.ms a later clean removes the tombstones themselves.
    now += DELETE_RETENTION_MS;
    const { firstOffset } = await log.appendAsLeader(encodeCoordinatorBatch([commit('group-1', 0, 9_999n)], BigInt(now)), 0);
    await log.roll();
    await cleaner.cleanFilthiestLog();
    const compacted = await load(log);
    history.offsets
      .get('group-1')!
      .get('orders')!
      .set(0, { ...committed(9_999n), recordOffset: firstOffset });
    expect(compacted).toEqual(history);
    expect(log.size).toBeLessThan(before / 20);
    await cleaner.close();
    await log.close();
  });
});
