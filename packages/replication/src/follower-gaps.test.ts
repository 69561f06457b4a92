import { describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '@kstream/protocol';
import { cleanLog, defaultLogCleanerConfig, LogCleaner, LogDirIo, logConfig, type PartitionLog } from '@kstream/log-storage';
import { logBytes, ReplicationCluster } from './replication-cluster.test-support.js';

function keyed(key: string, value: string): Promise<Buffer> {
  return encodeRecordBatch({ records: [{ key: Buffer.from(key), value: Buffer.from(value) }] });
}

/** Compacts the leader's log as its broker's cleaner would (everything below the active segment). */
async function compact(log: PartitionLog): Promise<void> {
  log.updateConfig(logConfig({ cleanupPolicy: ['compact'], minCleanableDirtyRatio: 0 }, log.config));
  const cleaner = await LogCleaner.open({
    io: new LogDirIo(log.logDir),
    logs: () => [{ log, lastStableOffset: log.logEndOffset }],
    execute: (job) => cleanLog(job),
    config: defaultLogCleanerConfig,
  });
  expect(await cleaner.cleanFilthiestLog()).toBeDefined();
}

describe('followers of a compacted leader', () => {
  it('followerCopiesTheGaps: a follower whose log starts at a gap, and fetches into gaps, catches up with the same offsets and bytes', async () => {
    const cluster = await ReplicationCluster.start(2, { maxWaitMs: 20, backoffMs: 10 });
    cluster.isolate(2);
    const leader = cluster.leader().partition;
    // k0 at 0 and 2..5 are overwritten later: the compacted log starts at offset 1 and skips 2..5.
    for (const [key, value] of [
      ['k0', 'a'],
      ['k1', 'b'],
      ['k2', 'c'],
      ['k3', 'd'],
      ['k2', 'e'],
      ['k3', 'f'],
      ['k0', 'g'],
      ['k2', 'h'],
      ['k3', 'i'],
    ]) {
      await leader.appendRecordsToLeader(await keyed(key!, value!), 1);
    }
    await leader.log.roll();
    await leader.appendRecordsToLeader(await keyed('k9', 'active'), 1);
    await compact(leader.log);
    const bases = (await leader.log.read(0n)).records;
    expect(bases.readBigInt64BE(0)).toBe(1n);

    cluster.heal(2);
    const follower = cluster.broker(2).partition;
    await cluster.until('the follower to catch up', () => follower.log.logEndOffset === leader.log.logEndOffset);
    expect(await logBytes(follower.log)).toEqual(await logBytes(leader.log));
    expect((await follower.log.read(2n)).records.readBigInt64BE(0)).toBe(6n);
    await leader.appendRecordsToLeader(await keyed('k1', 'later'), 1);
    await cluster.until('the next record', () => follower.log.logEndOffset === 11n);
  });
});
