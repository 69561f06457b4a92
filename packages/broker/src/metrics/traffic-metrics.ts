import { Counter } from './prom-client.js';
import type { CounterChild } from './prom-client.js';
import type { Registry } from './prom-client.js';

type PartitionLabels = 'topic' | 'partition';

interface PartitionCounters {
  readonly bytesIn: CounterChild;
  readonly recordsIn: CounterChild;
  readonly bytesOut: CounterChild;
}

/**
 * Bytes and records into, and bytes out of, each partition this broker
 * leads, counted by the ReplicaManager once per append (a produced batch
 * set, a coordinator's write) and once per partition of a consumer's Fetch
 * response — never per record; and the ISR changes the controller accepted.
 * Replication traffic between brokers is not counted here.
 */
export class TrafficMetrics {
  readonly #bytesIn: Counter<PartitionLabels>;
  readonly #recordsIn: Counter<PartitionLabels>;
  readonly #bytesOut: Counter<PartitionLabels>;
  readonly #isrShrinks: Counter;
  readonly #isrExpands: Counter;
  readonly #partitions = new Map<string, PartitionCounters>();

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['topic', 'partition'] as const;
    this.#bytesIn = new Counter({ name: 'kstream_bytes_in_total', help: 'Record batch bytes appended as leader', labelNames, registers });
    this.#recordsIn = new Counter({ name: 'kstream_records_in_total', help: 'Records appended as leader', labelNames, registers });
    this.#bytesOut = new Counter({ name: 'kstream_bytes_out_total', help: "Record bytes in consumers' Fetch responses", labelNames, registers });
    this.#isrShrinks = new Counter({ name: 'kstream_isr_shrinks_total', help: 'ISR shrinks of partitions this broker leads, as the controller accepted them', registers });
    this.#isrExpands = new Counter({ name: 'kstream_isr_expands_total', help: 'ISR expansions of partitions this broker leads, as the controller accepted them', registers });
  }

  /** An append of `records` records in `bytes` bytes (a retried duplicate is not one). */
  appended(topic: string, partition: number, bytes: number, records: number): void {
    const counters = this.#of(topic, partition);
    counters.bytesIn.inc(bytes);
    counters.recordsIn.inc(records);
  }

  /** `bytes` of records sent from this partition in a Fetch response. */
  fetched(topic: string, partition: number, bytes: number): void {
    this.#of(topic, partition).bytesOut.inc(bytes);
  }

  /** An accepted ISR change from `oldSize` to `newSize` replicas. */
  isrChanged(oldSize: number, newSize: number): void {
    if (newSize < oldSize) this.#isrShrinks.inc();
    else if (newSize > oldSize) this.#isrExpands.inc();
  }

  #of(topic: string, partition: number): PartitionCounters {
    const key = `${topic}-${partition}`;
    let counters = this.#partitions.get(key);
    if (counters === undefined) {
      const labels = { topic, partition: String(partition) };
      counters = { bytesIn: this.#bytesIn.labels(labels), recordsIn: this.#recordsIn.labels(labels), bytesOut: this.#bytesOut.labels(labels) };
      this.#partitions.set(key, counters);
    }
    return counters;
  }
}
