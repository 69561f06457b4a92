// A fault run as a correct cluster would leave it, built step by step for
// the checker's own tests: produces with the outcomes a client may see,
// consumer reads of what is in the log, faults, and three replicas per
// partition holding the same batches. A test breaks one thing in it and
// expects exactly that rule to report.
import type { FinalPartition, FinalState, LogRecord, ReplicaLog, StoredBatch } from './final-state.test-support.js';
import type { ClientKind, FaultKind, History, ProduceOp, ReadOp, FaultEvent } from './history.test-support.js';

/**
 * What happened to one produce: `ok` appended and acknowledged; `resent`
 * (kafkajs) appended twice, the second acknowledged; `definite` refused;
 * `found` and `lost` indeterminate, appended or not.
 */
export type ModelOutcome = 'ok' | 'resent' | 'definite' | 'found' | 'lost';

export const MODEL_BROKERS = [1, 2, 3] as const;

export class ModelRun {
  readonly produces: ProduceOp[] = [];
  readonly reads: ReadOp[] = [];
  readonly faults: FaultEvent[] = [];
  readonly logs: string[][];
  #clock = 0;
  #sequence = 0;

  constructor(readonly partitions = 2) {
    this.logs = Array.from({ length: partitions }, () => []);
  }

  produce(producer: string, partition: number, outcome: ModelOutcome, client: ClientKind = outcome === 'resent' ? 'kafkajs' : 'own'): ProduceOp {
    const value = `${producer}-${this.#sequence++}`;
    const log = this.logs[partition]!;
    const invokedAt = this.#tick();
    if (outcome === 'resent') log.push(value);
    if (outcome !== 'definite' && outcome !== 'lost') log.push(value);
    const op: ProduceOp = {
      producer,
      client,
      partition,
      key: `key-${partition}`,
      value,
      invokedAt,
      completedAt: this.#tick(),
      outcome:
        outcome === 'ok' || outcome === 'resent'
          ? { kind: 'ok', offset: BigInt(log.length - 1) }
          : outcome === 'definite'
            ? { kind: 'definite', error: 'NOT_ENOUGH_REPLICAS' }
            : { kind: 'indeterminate', error: 'REQUEST_TIMED_OUT' },
    };
    this.produces.push(op);
    return op;
  }

  /** A consumer's read of what the log holds at `offset` now. */
  read(consumer: string, partition: number, offset: number): ReadOp {
    const value = this.logs[partition]![offset];
    if (value === undefined) throw new RangeError(`the model's partition ${partition} has no offset ${offset}`);
    const read: ReadOp = { consumer, partition, offset: BigInt(offset), value, at: this.#tick() };
    this.reads.push(read);
    return read;
  }

  fault(kind: FaultKind, target: string): FaultEvent {
    const fault: FaultEvent = { kind, target, startedAt: this.#tick(), healedAt: this.#tick() };
    this.faults.push(fault);
    return fault;
  }

  history(): History {
    return { seed: 42, topic: 'checked', produces: this.produces, reads: this.reads, faults: this.faults };
  }

  /** Every partition led by broker 1 and fully replicated; `lagging` replicas hold (and have committed) only a prefix, out of the ISR. */
  final(lagging: ReadonlyArray<{ partition: number; broker: number; upTo: number }> = []): FinalState {
    const partitions = new Map<number, FinalPartition>();
    this.logs.forEach((values, partition) => {
      const log: LogRecord[] = values.map((value, offset) => ({ offset: BigInt(offset), value }));
      const replicas = MODEL_BROKERS.map((broker): ReplicaLog => {
        const lag = lagging.find((l) => l.partition === partition && l.broker === broker);
        const held = lag === undefined ? log : log.slice(0, lag.upTo);
        return { broker, inSync: lag === undefined, highWatermark: BigInt(held.length), batches: held.map(batchOf) };
      });
      partitions.set(partition, { log, highWatermark: BigInt(log.length), leader: 1, replicas });
    });
    return { partitions };
  }

  #tick(): number {
    return (this.#clock += 10);
  }
}

/** A one-record batch whose bytes stand for its content. */
export function batchOf(record: LogRecord): StoredBatch {
  return { baseOffset: record.offset, lastOffset: record.offset, records: [record], bytes: Buffer.from(`${record.offset}:${record.value}`) };
}
