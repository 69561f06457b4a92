// A groups run as a correct cluster and kafkajs members would leave it,
// built step by step for the groups checker's own tests: one producer's
// records, assignments per generation, deliveries, commits and OffsetFetch
// answers on a clock that ticks 10 ms per step. A test breaks one thing and
// expects exactly the rules for it to report.
import type { LogRecord } from './final-state.test-support.js';
import type { Assignment, CommitOp, CommitOutcome, Delivery, GroupHistory, OffsetSample } from './group-history.test-support.js';
import type { ProduceOp } from './history.test-support.js';

export class GroupModelRun {
  readonly produces: ProduceOp[] = [];
  readonly deliveries: Delivery[] = [];
  readonly commits: CommitOp[] = [];
  readonly offsetSamples: OffsetSample[] = [];
  readonly assignments: Assignment[] = [];
  readonly logs: string[][];
  #clock = 0;
  #sequence = 0;

  constructor(partitions = 2) {
    this.logs = Array.from({ length: partitions }, () => []);
  }

  /** `count` records on `partition`: acknowledged, or indeterminate and appended ('found') or not ('lost'). */
  produce(partition: number, count: number, outcome: 'ok' | 'found' | 'lost' = 'ok'): void {
    for (let i = 0; i < count; i++) {
      const value = `own-1-${this.#sequence++}`;
      const log = this.logs[partition]!;
      if (outcome !== 'lost') log.push(value);
      const invokedAt = this.#tick();
      this.produces.push({
        producer: 'own-1',
        client: 'own',
        partition,
        key: `key-${partition}`,
        value,
        invokedAt,
        completedAt: this.#tick(),
        outcome: outcome === 'ok' ? { kind: 'ok', offset: BigInt(log.length - 1) } : { kind: 'indeterminate', error: 'REQUEST_TIMED_OUT' },
      });
    }
  }

  assign(consumer: string, generation: number, partitions: readonly number[]): Assignment {
    const a: Assignment = { consumer, memberId: `${consumer}-member`, generation, partitions, at: this.#tick() };
    this.assignments.push(a);
    return a;
  }

  /** `consumer` delivers offsets `from`..`to` (inclusive) of `partition` in `generation`. */
  deliver(consumer: string, generation: number, partition: number, from: number, to: number): void {
    for (let offset = from; offset <= to; offset++) {
      const value = this.logs[partition]![offset];
      if (value === undefined) throw new RangeError(`the model's partition ${partition} has no offset ${offset}`);
      this.deliveries.push({ consumer, memberId: `${consumer}-member`, generation, partition, offset: BigInt(offset), value, at: this.#tick() });
    }
  }

  commit(consumer: string, generation: number, partition: number, offset: number, outcome: CommitOutcome = { kind: 'ok' }): CommitOp {
    const invokedAt = this.#tick();
    const c: CommitOp = { consumer, memberId: `${consumer}-member`, generation, partition, offset: BigInt(offset), invokedAt, completedAt: this.#tick(), outcome };
    this.commits.push(c);
    return c;
  }

  sample(partition: number, offset: number): OffsetSample {
    const invokedAt = this.#tick();
    const s: OffsetSample = { source: 'sampler', partition, offset: BigInt(offset), invokedAt, completedAt: this.#tick() };
    this.offsetSamples.push(s);
    return s;
  }

  history(): GroupHistory {
    const { produces, deliveries, commits, offsetSamples, assignments } = this;
    return { seed: 42, topic: 'checked', group: 'checked-group', produces, deliveries, commits, offsetSamples, assignments, faults: [] };
  }

  finalLogs(): Map<number, LogRecord[]> {
    return new Map(this.logs.map((values, p) => [p, values.map((value, offset) => ({ offset: BigInt(offset), value }))]));
  }

  #tick(): number {
    return (this.#clock += 10);
  }
}
