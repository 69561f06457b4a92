import type { Logger } from '@kstream/log-storage';
import { ErrorCode } from '@kstream/protocol';
import type {
  CoordinatorTimers,
  ProducerIdSource,
  TopicPartitionRef,
  TransactionCoordinatorConfig,
  TxnMarkerEntry,
  TxnMarkerResult,
  TxnMarkerWriter,
} from '../coordinator-types.js';

/** Kafka's defaults. */
export function testConfig(overrides: Partial<TransactionCoordinatorConfig> = {}): TransactionCoordinatorConfig {
  return {
    transactionalIdExpirationMs: 604_800_000,
    transactionMaxTimeoutMs: 900_000,
    abortTimedOutTransactionsIntervalMs: 10_000,
    removeExpiredTransactionalIdsIntervalMs: 3_600_000,
    loadBufferSize: 5_242_880,
    ...overrides,
  };
}

/** Producer ids counting up from 1000; `failNext` makes the next generate reject with an error code. */
export class CountingProducerIds implements ProducerIdSource {
  next = 1000n;
  private failure: number | undefined;

  failNext(errorCode: number): void {
    this.failure = errorCode;
  }

  async generate(): Promise<bigint> {
    if (this.failure !== undefined) {
      const errorCode = this.failure;
      this.failure = undefined;
      throw Object.assign(new Error(`no producer id block yet (error ${errorCode})`), { errorCode });
    }
    return this.next++;
  }
}

/**
 * Records every marker entry; each partition answers NONE unless `answer`
 * says otherwise (called per partition and attempt). `hold` keeps writes
 * waiting until released.
 */
export class RecordingMarkerWriter implements TxnMarkerWriter {
  readonly entries: TxnMarkerEntry[] = [];
  answer: (partition: TopicPartitionRef, entry: TxnMarkerEntry) => number = () => ErrorCode.NONE;
  private gate: Promise<void> | undefined;

  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  async write(entry: TxnMarkerEntry): Promise<TxnMarkerResult[]> {
    this.entries.push({ ...entry, partitions: [...entry.partitions] });
    if (this.gate !== undefined) await this.gate;
    return entry.partitions.map((partition) => ({ ...partition, errorCode: this.answer(partition, entry) }));
  }

  /** Each partition whose marker was answered NONE, as `topic-partition:commit|abort@epoch`. */
  written(): string[] {
    const lines: string[] = [];
    for (const entry of this.entries) {
      for (const partition of entry.partitions) {
        if (this.answer(partition, entry) === ErrorCode.NONE) lines.push(`${partition.topic}-${partition.partition}:${entry.commit ? 'commit' : 'abort'}@${entry.producerEpoch}`);
      }
    }
    return lines;
  }
}

/** A clock and timers that move only when told to. */
export class ManualTimers implements CoordinatorTimers {
  now = 1_700_000_000_000;
  private nextId = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  readonly clock = (): number => this.now;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  get scheduled(): number {
    return this.pending.size;
  }

  /** Moves the clock by `ms`, running each timer that falls due, in time order, and letting its promises settle. */
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.pending].filter(([, timer]) => timer.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.pending.delete(due[0]);
      this.now = Math.max(this.now, due[1].at);
      due[1].fn();
      await settle();
    }
    this.now = until;
  }
}

/** Lets every pending promise and setImmediate of the coordinator run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise(setImmediate);
}

export class CapturingLogger implements Logger {
  readonly lines: { level: 'info' | 'warn' | 'error'; msg: string; fields?: object }[] = [];
  info(msg: string, fields?: object): void {
    this.lines.push({ level: 'info', msg, fields });
  }
  warn(msg: string, fields?: object): void {
    this.lines.push({ level: 'warn', msg, fields });
  }
  error(msg: string, fields?: object): void {
    this.lines.push({ level: 'error', msg, fields });
  }
}
