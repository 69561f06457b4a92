// One broken rule of the groups checker; the replication checker's rules it
// reuses (an acknowledged record at its offset, a delivered record where it
// was read) keep their own names.
import type { Rule } from './violation.test-support.js';

export type GroupRule =
  /** An acknowledged record was never delivered to the group (at least once is the promise). */
  | 'acknowledgedNotDelivered'
  /** Offsets of the final log no member was ever given: a member started past them. */
  | 'skippedOffsets'
  /** A member's first record of a partition in a generation lies past every offset committed for it by then. */
  | 'startedPastCommitted'
  /** A committed offset (an acknowledged commit or an OffsetFetch answer) below one acknowledged or answered before it began. */
  | 'committedWentBackward'
  /** An OffsetFetch answered an offset no commit that could have been written carried. */
  | 'fetchedUncommitted'
  /** A commit of generation g acknowledged though it began after a SyncGroup of a later generation was answered. */
  | 'staleGenerationCommitAccepted'
  /** SyncGroup gave one partition to two members in one generation. */
  | 'assignedTwice'
  /** A member delivered records of a partition its assignment of that generation does not hold. */
  | 'consumedOutsideAssignment';

export interface GroupViolation {
  readonly rule: GroupRule | Rule;
  readonly partition: number;
  readonly offset: bigint | null;
  readonly value: string | null;
  readonly message: string;
  /** When the operation it is about happened (ms into the run), to find the faults around it; undefined for the reused replication rules. */
  readonly at?: number;
}
