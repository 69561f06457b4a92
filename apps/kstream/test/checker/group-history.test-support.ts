// What a groups fault run's clients saw, as Jepsen's Kafka test records it:
// the producer's acknowledged writes (the replication run's ProduceOp), each
// record the group's members delivered to the application, and — read off
// the members' own wire traffic — every assignment SyncGroup handed them,
// every OffsetCommit with its generation and answer, and every OffsetFetch
// answer (the members' and a sampler's). Times are milliseconds since the
// run started.
import type { FaultEvent, FaultKind, HistoryRecorder, ProduceOp } from './history.test-support.js';

/** A record the group delivered to a member's application, with the generation the member was in when its batch began. */
export interface Delivery {
  readonly consumer: string;
  readonly memberId: string;
  readonly generation: number;
  readonly partition: number;
  readonly offset: bigint;
  readonly value: string;
  readonly at: number;
}

/**
 * How an OffsetCommit ended for one partition: `ok` acknowledged (error
 * NONE); `refused` answered with an error the coordinator gives before
 * writing anything (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
 * REBALANCE_IN_PROGRESS...); `indeterminate` no answer, or an error that may
 * follow the write (REQUEST_TIMED_OUT, NOT_COORDINATOR...).
 */
export type CommitOutcome = { readonly kind: 'ok' } | { readonly kind: 'refused' | 'indeterminate'; readonly error: string };

export interface CommitOp {
  readonly consumer: string;
  readonly memberId: string;
  /** The request's generationIdOrMemberEpoch (-1: a commit from outside any generation). */
  readonly generation: number;
  readonly partition: number;
  /** The committed offset: the next record the group should deliver. */
  readonly offset: bigint;
  readonly invokedAt: number;
  readonly completedAt: number;
  readonly outcome: CommitOutcome;
}

/** An OffsetFetch answer for one partition without error: the committed offset, -1 when none. */
export interface OffsetSample {
  readonly source: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly invokedAt: number;
  readonly completedAt: number;
}

/** A SyncGroup answered NONE: the member's partitions of the run's topic in that generation. */
export interface Assignment {
  readonly consumer: string;
  readonly memberId: string;
  readonly generation: number;
  readonly partitions: readonly number[];
  readonly at: number;
}

/** The broker faults, and a member killed without leaving (its sockets destroyed; a new member replaces it). */
export type GroupFaultKind = FaultKind | 'kill-consumer';

export interface GroupFaultEvent extends Omit<FaultEvent, 'kind'> {
  readonly kind: GroupFaultKind;
}

export interface GroupHistory {
  readonly seed: number;
  readonly topic: string;
  readonly group: string;
  readonly produces: readonly ProduceOp[];
  readonly deliveries: readonly Delivery[];
  readonly commits: readonly CommitOp[];
  readonly offsetSamples: readonly OffsetSample[];
  readonly assignments: readonly Assignment[];
  readonly faults: readonly GroupFaultEvent[];
}

/** Collects a groups run's history: the producer and the nemesis write into `base` (the replication run's recorder), the members and the sampler here. */
export class GroupHistoryRecorder {
  readonly deliveries: Delivery[] = [];
  readonly commits: CommitOp[] = [];
  readonly offsetSamples: OffsetSample[] = [];
  readonly assignments: Assignment[] = [];
  /** Members killed by the group nemesis (the broker faults are in `base.faults`). */
  readonly consumerFaults: GroupFaultEvent[] = [];

  constructor(
    readonly base: HistoryRecorder,
    readonly group: string,
  ) {}

  now(): number {
    return this.base.now();
  }

  history(): GroupHistory {
    const { seed, topic, produces } = this.base;
    const faults = [...this.base.faults, ...this.consumerFaults].sort((a, b) => a.startedAt - b.startedAt);
    return {
      seed,
      topic,
      group: this.group,
      produces,
      deliveries: this.deliveries,
      commits: this.commits,
      offsetSamples: this.offsetSamples,
      assignments: this.assignments,
      faults,
    };
  }
}
