import type { Logger } from '@kstream/actor';
import { NO_LEADER, partitionName, sameList } from './partition-elections.js';
import type { PartitionChange } from './partition-elections.js';

/** How many leaderless partitions one log line names; the rest are counted. */
const NAMED_OFFLINE = 20;

/**
 * Logs the partition changes an event caused: one line for the event (how
 * many leaderships moved, which partitions were left without a leader), and
 * a warning per unclean election, which loses the records the new leader had
 * not copied.
 */
export function logElections(logger: Logger, cause: string, changes: readonly PartitionChange[]): void {
  if (changes.length === 0) return;
  const moved = changes.filter((c) => c.record.leader !== c.before.leader && c.record.leader !== NO_LEADER).length;
  const offline = changes.filter((c) => c.record.leader === NO_LEADER).map((c) => partitionName(c.topic, c.record.partition));
  const isrOnly = changes.length - moved - offline.length;
  let line = `controller: ${cause}: ${moved} leaderships moved, ${isrOnly} ISRs shrunk, ${offline.length} partitions without a leader`;
  if (offline.length > 0) {
    const named = offline.slice(0, NAMED_OFFLINE).join(', ');
    line += ` (${named}${offline.length > NAMED_OFFLINE ? ` and ${offline.length - NAMED_OFFLINE} more` : ''})`;
  }
  logger.info(line);
  for (const change of changes) {
    if (!change.unclean) continue;
    logger.warn(
      `controller: unclean leader election for ${partitionName(change.topic, change.record.partition)}: broker ${change.record.leader} ` +
        `leads from outside the ISR [${change.before.isr.join(', ')}], losing what it had not copied (unclean.leader.election.enable=true)`,
    );
  }
}

/** Logs each ISR change a leader asked for (AlterPartition), old -> new. */
export function logIsrChanges(logger: Logger, brokerId: number, changes: readonly PartitionChange[]): void {
  for (const { topic, before, record } of changes) {
    logger.info(
      `controller: ISR of ${partitionName(topic, record.partition)} [${before.isr.join(', ')}] -> [${record.isr.join(', ')}] ` +
        `(asked by leader ${brokerId}, partition epoch ${record.partitionEpoch})`,
    );
  }
}

/** Logs each change to a partition's replicas: a reassignment started, changed, cancelled or completed. */
export function logReassignments(logger: Logger, changes: readonly PartitionChange[]): void {
  for (const { topic, before, record } of changes) {
    const { replicas, addingReplicas = [], removingReplicas = [] } = record;
    if (sameList(replicas, before.replicas) && sameList(addingReplicas, before.addingReplicas) && sameList(removingReplicas, before.removingReplicas)) {
      continue;
    }
    const which = partitionName(topic, record.partition);
    const now = `replicas [${before.replicas.join(', ')}] -> [${replicas.join(', ')}], ISR [${record.isr.join(', ')}], leader ${record.leader}`;
    const ongoing = addingReplicas.length > 0 || removingReplicas.length > 0;
    const wasOngoing = before.addingReplicas.length > 0 || before.removingReplicas.length > 0;
    const what = ongoing
      ? `reassignment of ${which} in progress (adding [${addingReplicas.join(', ')}], removing [${removingReplicas.join(', ')}])`
      : `reassignment of ${which} ${wasOngoing ? 'ended' : 'done at once'}`;
    logger.info(`controller: ${what}: ${now} (partition epoch ${record.partitionEpoch})`);
  }
}
