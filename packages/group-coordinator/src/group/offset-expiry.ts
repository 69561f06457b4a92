import type { Logger } from '@kstream/log-storage';
import { ErrorCode } from '@kstream/protocol';
import type { CoordinatorRecord, OffsetAndMetadata } from '../records/index.js';
import type { ClassicGroup } from './classic-group.js';
import type { CoordinatorShard } from './coordinator-shard.js';

// Offset expiry, Kafka 2.1+ (KIP-211), run every offsets.retention.check.interval.ms:
// - an Empty group's offsets expire offsets.retention.minutes after the group
//   became Empty; a group without protocol type (it only commits) loses each
//   offset that long after its commit; a Stable consumer group loses those of
//   topics no member subscribes to, that long after their commit;
// - an expireTimestamp written by OffsetCommit v2–v4 (retentionTimeMs) wins;
// - a partition with a commit in flight, or with an offset of an open
//   transaction, is left alone (the transaction's marker decides it);
// - expired offsets get tombstones, and an Empty group left without offsets
//   nor open transactions becomes Dead with a tombstone of its own — all in
//   one batch.

export interface ExpiryDeps {
  readonly clock: () => number;
  readonly logger: Logger;
  /** A group removed from the shard: its membership state goes too. */
  readonly onGroupRemoved: (group: ClassicGroup) => void;
}

/** Writes the tombstones of what expired by now; resolves with the log's error code (NONE also when nothing expired). */
export async function expireOffsets(shard: CoordinatorShard, retentionMs: number, deps: ExpiryDeps): Promise<number> {
  const now = deps.clock();
  const records: CoordinatorRecord[] = [];
  const deadGroups: ClassicGroup[] = [];
  for (const group of shard.groups.values()) {
    const base = expiryBase(group);
    let kept = 0;
    for (const [topic, partition, committed] of shard.offsets.entries(group.groupId)) {
      const expired =
        base !== undefined &&
        !shard.pendingCommits.has(group.groupId, topic, partition) &&
        !shard.txnOffsets.has(group.groupId, topic, partition) &&
        !(group.state === 'Stable' && group.isSubscribedTo(topic) !== false) &&
        isExpired(committed, base(committed), now, retentionMs);
      if (expired) records.push({ type: 'offset', key: { group: group.groupId, topic, partition }, value: null });
      else kept++;
    }
    if (group.state === 'Empty' && kept === 0 && !shard.txnOffsets.hasGroup(group.groupId)) {
      records.push({ type: 'group', group: group.groupId, value: null });
      deadGroups.push(group);
    }
  }
  if (records.length === 0) return ErrorCode.NONE;

  const written = await shard.write(records, () => {
    for (const record of records) {
      if (record.type === 'offset') shard.deleteOffset(record.key.group, record.key.topic, record.key.partition);
    }
    for (const group of deadGroups) {
      // A member may have joined since: such a group lives on and is stored again by its rebalance.
      if (group.state !== 'Empty' || shard.offsets.hasGroup(group.groupId) || shard.txnOffsets.hasGroup(group.groupId)) continue;
      if (shard.groups.get(group.groupId) !== group) continue;
      group.transitionTo('Dead', deps.clock());
      shard.groups.delete(group.groupId);
      deps.onGroupRemoved(group);
    }
  });
  const offsets = records.filter((record) => record.type === 'offset').length;
  if (written === ErrorCode.NONE) {
    deps.logger.info('group coordinator: removed expired offsets and dead groups', {
      partition: shard.partition,
      expiredOffsets: offsets,
      deadGroups: deadGroups.length,
    });
  } else {
    deps.logger.warn('group coordinator: writing the tombstones of expired offsets failed; the next check retries', {
      partition: shard.partition,
      expiredOffsets: offsets,
      errorCode: written,
    });
  }
  return written;
}

/** What an offset's retention counts from in this group, or undefined when its offsets do not expire now (Kafka's offsetExpirationCondition). */
function expiryBase(group: ClassicGroup): ((committed: OffsetAndMetadata) => number) | undefined {
  if (group.protocolType === null) return (committed) => Number(committed.commitTimestamp);
  if (group.state === 'Empty') return () => group.currentStateTimestamp;
  if (group.state === 'Stable' && group.protocolType === 'consumer') return (committed) => Number(committed.commitTimestamp);
  return undefined;
}

function isExpired(committed: OffsetAndMetadata, base: number, now: number, retentionMs: number): boolean {
  if (committed.expireTimestamp >= 0n) return BigInt(now) >= committed.expireTimestamp;
  return now - base >= retentionMs;
}
