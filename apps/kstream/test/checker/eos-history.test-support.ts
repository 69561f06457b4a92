// What an exactly-once fault run's workers did, as the EOS checker needs it:
// every consume-transform-produce transaction a worker began — its tag
// (worker and attempt), the transactional id it ran under, the input records
// it read (one input partition, a run of offsets), the outputs it sent (one
// per input, each carrying the input id and the tag) and the input offset it
// committed with them — and how it ended as the worker saw it. Times are
// milliseconds since the run started; faults are the nemesis's.
import type { FaultEvent, HistoryRecorder } from './history.test-support.js';

/**
 * How a transaction ended, as the worker saw it:
 * - `committed`: commit() resolved — its outputs must all be visible to read_committed;
 * - `aborted`: it failed (or was aborted) before EndTxn(commit) was sent — none of them may be visible;
 * - `uncertain`: EndTxn(commit) was sent and failed or had no answer — the coordinator may have
 *   committed it or not: all of its outputs visible, or none.
 */
export type TxnOutcome = { readonly kind: 'committed' } | { readonly kind: 'aborted'; readonly error: string } | { readonly kind: 'uncertain'; readonly error: string };

export interface TxnAttempt {
  /** `worker-2.17`: the worker and its attempt number; every output of the transaction carries it. */
  readonly tag: string;
  readonly worker: string;
  readonly transactionalId: string;
  readonly inputPartition: number;
  /** Input ids read, in offset order (one output each). */
  readonly inputs: readonly number[];
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  /** The offset sendOffsets committed for the input partition (lastOffset + 1). */
  readonly committedOffset: bigint;
  readonly startedAt: number;
  endedAt: number | null;
  /** null while the transaction runs. */
  outcome: TxnOutcome | null;
}

/** A worker event worth a line in a violation's excerpt: ownership of an input partition taken or dropped, a consumer restarted. */
export interface WorkerEvent {
  readonly worker: string;
  readonly at: number;
  readonly what: string;
}

/** One record of the output topic as the fresh read_committed consumer saw it. */
export interface OutputRecord {
  readonly partition: number;
  readonly offset: bigint;
  readonly inputId: number;
  readonly tag: string;
}

/** One input record, as the input topic held it before the workers started. */
export interface InputRecord {
  readonly partition: number;
  readonly offset: bigint;
  readonly id: number;
}

export interface EosHistory {
  readonly seed: number;
  readonly inputTopic: string;
  readonly outputTopic: string;
  readonly group: string;
  readonly inputs: readonly InputRecord[];
  readonly transactions: readonly TxnAttempt[];
  readonly workerEvents: readonly WorkerEvent[];
  readonly faults: readonly FaultEvent[];
}

/** What the run read once the workers had stopped and every transaction had ended. */
export interface EosFinalState {
  /** The output topic, every partition, as a fresh read_committed consumer (@kstream/client's) read it up to the last stable offset. */
  readonly committedOutput: readonly OutputRecord[];
  /** The same as a fresh read_committed kafkajs consumer read it: reported, not checked (see readCommittedWithKafkajs). */
  readonly kafkajsCommittedOutput: readonly OutputRecord[];
  /** The same, computed from the output's logs read raw from the leaders, each transactional record kept or dropped by its producer's next marker. */
  readonly logCommittedOutput: readonly OutputRecord[];
  /** Records of the output topic read_uncommitted (aborted ones included, control batches not): for the summary. */
  readonly storedOutputRecords: number;
  /** The group's committed offset per input partition (OffsetFetch, requireStable), -1 for none. */
  readonly groupOffsets: ReadonlyMap<number, bigint>;
  /** Each input partition's end offset. */
  readonly inputEnds: ReadonlyMap<number, bigint>;
}

/** An output's value: `<input id>|<tag>`. */
export function outputValue(inputId: number, tag: string): string {
  return `${inputId}|${tag}`;
}

/** Reads an output's value back; null when it is not one. */
export function parseOutputValue(value: string): { inputId: number; tag: string } | null {
  const bar = value.indexOf('|');
  if (bar <= 0) return null;
  const inputId = Number(value.slice(0, bar));
  return Number.isInteger(inputId) ? { inputId, tag: value.slice(bar + 1) } : null;
}

/** An input's value: `in-<id>`. */
export function inputValue(id: number): string {
  return `in-${id}`;
}

export function parseInputValue(value: string): number | null {
  if (!value.startsWith('in-')) return null;
  const id = Number(value.slice(3));
  return Number.isInteger(id) ? id : null;
}

/** Collects a run's history as the workers go; the nemesis writes its faults into `base` (the replication run's recorder, whose topic is the input's), whose clock this shares. */
export class EosHistoryRecorder {
  readonly transactions: TxnAttempt[] = [];
  readonly workerEvents: WorkerEvent[] = [];
  inputs: readonly InputRecord[] = [];

  constructor(
    readonly base: HistoryRecorder,
    readonly outputTopic: string,
    readonly group: string,
  ) {}

  now(): number {
    return this.base.now();
  }

  event(worker: string, what: string): void {
    this.workerEvents.push({ worker, at: this.now(), what });
  }

  history(): EosHistory {
    const { seed, topic: inputTopic, faults } = this.base;
    return { seed, inputTopic, outputTopic: this.outputTopic, group: this.group, inputs: this.inputs, transactions: this.transactions, workerEvents: this.workerEvents, faults };
  }
}
