// The faults on demand a test injects through the Cluster handle (and the
// control API): what each takes, and how one reads back in faults.list().
import type { ErrorCode } from '@kstream/protocol';

/** Which requests a fault meets: all of them unless narrowed. */
export interface FaultScope {
  /** Kafka's API name: 'Produce', 'Fetch', 'Metadata', ... */
  readonly api?: string;
  readonly clientId?: string;
  /** Only requests naming this topic; Produce, Fetch, ListOffsets and OffsetCommit only. */
  readonly topic?: string;
  /** With `topic`: only this partition. */
  readonly partition?: number;
  /** Only requests to this broker. */
  readonly broker?: number;
}

export interface InjectErrorsOptions extends FaultScope {
  readonly api: string;
  /** A Kafka error code (ErrorCode.NOT_LEADER_OR_FOLLOWER) or its name ('NOT_LEADER_OR_FOLLOWER'). */
  readonly errorCode: ErrorCode | number | keyof typeof ErrorCode;
  /** How many matching requests answer the error (default 1), across all brokers. */
  readonly count?: number;
}

export interface DelayResponsesOptions extends FaultScope {
  readonly ms: number;
  /** How many matching requests are delayed; absent: every one until faults.clear(). */
  readonly count?: number;
}

export interface DropConnectionsOptions extends FaultScope {
  /** How many matching requests close their connection instead of being answered (default 1). */
  readonly count?: number;
}

/** One injected fault as faults.list() shows it. */
export interface FaultDescription extends FaultScope {
  readonly id: number;
  readonly kind: 'error' | 'delay' | 'drop';
  /** For an error fault: the code and Kafka's name for it. */
  readonly errorCode?: number;
  readonly errorName?: string;
  /** For a delay fault. */
  readonly ms?: number;
  /** The matching requests it still applies to; null: no limit (a delay without count). */
  readonly remaining: number | null;
}

/** The faults on demand of a running cluster (Cluster.faults). Each call resolves once every running broker applies it. */
export interface ClusterFaults {
  /** The next `count` requests matching the scope answer `errorCode` (per partition for Produce, Fetch, ListOffsets, OffsetCommit; for the whole request otherwise). */
  injectErrors(options: InjectErrorsOptions): Promise<FaultDescription>;
  /** Matching requests are answered `ms` later. */
  delayResponses(options: DelayResponsesOptions): Promise<FaultDescription>;
  /** Matching requests close their connection unanswered, as a broker that went away would. */
  dropConnections(options: DropConnectionsOptions): Promise<FaultDescription>;
  /** Every fault injected since the last clear, used up or not, in injection order. */
  list(): FaultDescription[];
  /** Removes every fault. */
  clear(): Promise<void>;
}
