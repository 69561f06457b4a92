// What the client benchmark's parent sends each child over IPC, and what the
// child answers: one job in, one result (or error) out.
import type { ChildReply } from './child.js';

export const CLIENTS = ['kstream', 'kafkajs', 'platformatic'] as const;
export type ClientName = (typeof CLIENTS)[number];

/** Set in a child's environment to the file its job's CPU profile goes to. */
export const CPU_PROFILE_ENV = 'KSTREAM_BENCH_CPU_PROFILE';

/**
 * Produce `records` values per round, `chunk` records a send() call, up to
 * `inFlight` calls outstanding. The timed figure sends one shared value;
 * `numbered` (filling the consumer's topic) makes every value distinct.
 */
export interface ProduceJob {
  readonly kind: 'produce';
  readonly client: ClientName;
  readonly bootstrap: string;
  readonly topic: string;
  readonly acks: 1 | -1;
  readonly idempotent: boolean;
  readonly valueBytes: number;
  readonly records: number;
  readonly warmupRecords: number;
  readonly rounds: number;
  readonly chunk: number;
  readonly inFlight: number;
  readonly numbered: boolean;
}

/** Read the whole topic from the beginning `rounds` times, a new consumer each round. */
export interface ConsumeJob {
  readonly kind: 'consume';
  readonly client: ClientName;
  readonly bootstrap: string;
  readonly topic: string;
  readonly records: number;
  readonly valueBytes: number;
  readonly rounds: number;
  /** Each round's consumer group is `${groupPrefix}-${round}`: a new group reads from the beginning. */
  readonly groupPrefix: string;
}

/** Produce at `ratePerSecond` (acks=all) while a consumer in the same process reads; latency = receive - send() call. */
export interface EndToEndJob {
  readonly kind: 'e2e';
  readonly client: ClientName;
  readonly bootstrap: string;
  readonly topic: string;
  readonly valueBytes: number;
  readonly ratePerSecond: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly groupId: string;
}

export type Job = ProduceJob | ConsumeJob | EndToEndJob;

export interface RoundResult {
  readonly records: number;
  readonly seconds: number;
}

/** What every result carries: the driver's description and what the client reported (ClientDriver). */
interface Described {
  readonly description: string;
  readonly notes: readonly string[];
}

export interface ProduceResult extends Described {
  readonly kind: 'produce';
  readonly rounds: readonly RoundResult[];
  /** Records every send() call acknowledged, warm-up included: the parent checks the high watermarks moved as much. */
  readonly acknowledged: number;
  /** BenchProducer.idempotent: what ran, which may differ from what was asked. */
  readonly idempotent: boolean | null;
}

export interface ConsumeResult extends Described {
  readonly kind: 'consume';
  /** Per round: records read (checked against the job's count, value bytes too) and seconds from the first record to the last. */
  readonly rounds: readonly RoundResult[];
}

export interface EndToEndResult extends Described {
  readonly kind: 'e2e';
  readonly sent: number;
  readonly received: number;
  /** From the measured phase's first send() call to its last. */
  readonly seconds: number;
  /** The furthest a send() call fell behind the rate's schedule. */
  readonly maxBehindMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  /** send() call -> its acknowledgement, per call in the measured phase: the produce side of the latency. */
  readonly ackP50Ms: number;
  readonly ackP99Ms: number;
  /** The child's event-loop delay in the measured phase (monitorEventLoopDelay): its own stalls. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
}

export type JobResult = ProduceResult | ConsumeResult | EndToEndResult;

export type WorkerReply = ChildReply<JobResult>;
