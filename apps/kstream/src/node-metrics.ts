import { cpuUsage, memoryUsage } from 'node:process';
import { AggregatorRegistry, Counter, Gauge, Registry } from '@kstream/broker';
import type { BrokerMetricsSnapshot } from '@kstream/broker';
import type { MetadataState } from '@kstream/metadata';

/** How long a scrape waits for a broker's metrics before leaving it out (kstream_scrape_broker_up 0). */
export const BROKER_SCRAPE_TIMEOUT_MS = 2_000;

/** A broker as a scrape sees it. */
export interface ScrapedBroker {
  readonly brokerId: number;
  metrics(timeoutMs: number): Promise<BrokerMetricsSnapshot>;
}

export interface NodeMetricsSources {
  /** Every broker of the node, running or not. */
  readonly brokers: () => readonly ScrapedBroker[];
  /** The controller's metadata. */
  readonly metadata: MetadataState;
  readonly brokerTimeoutMs?: number;
}

/**
 * The node's Prometheus exposition: each broker's registry (asked over its
 * worker channel, each series labelled with its broker) merged with the main
 * thread's own — the controller's view of the partitions and brokers, the
 * main thread's process, whether each broker answered, and consumer group
 * lag, which needs two brokers' numbers: the group coordinator's committed
 * offsets and the partition leaders' high watermarks.
 */
export class NodeMetrics {
  readonly #sources: NodeMetricsSources;
  readonly #registry = new Registry();
  readonly #brokerUp: Gauge<'broker'>;
  readonly #lag: Gauge<'group' | 'topic' | 'partition'>;

  constructor(sources: NodeMetricsSources) {
    this.#sources = sources;
    const registers = [this.#registry];
    const { metadata } = sources;
    this.#brokerUp = new Gauge({
      name: 'kstream_scrape_broker_up',
      help: "1 when the broker's metrics are in this scrape, 0 when it is down or did not answer in time",
      labelNames: ['broker'],
      registers,
    });
    this.#lag = new Gauge({
      name: 'kstream_consumer_group_lag',
      help: "A consumer group's lag on a partition: the leader's high watermark minus the group's committed offset",
      labelNames: ['group', 'topic', 'partition'],
      registers,
    });
    const partitions = () => [...metadata.topics.values()].flatMap((topic) => topic.partitions);
    new Gauge({
      name: 'kstream_controller_partitions',
      help: 'Partitions in the cluster metadata',
      registers,
      collect() {
        this.set(partitions().length);
      },
    });
    new Gauge({
      name: 'kstream_controller_offline_partitions',
      help: 'Partitions without a leader',
      registers,
      collect() {
        this.set(partitions().filter((p) => p.leader < 0).length);
      },
    });
    new Gauge({
      name: 'kstream_controller_live_brokers',
      help: 'Brokers registered and not fenced',
      registers,
      collect() {
        this.set(metadata.liveBrokerIds().length);
      },
    });
    new Gauge({
      name: 'kstream_node_resident_memory_bytes',
      help: "The node process's resident set size (every thread)",
      registers,
      collect() {
        this.set(memoryUsage.rss());
      },
    });
    new Counter({
      name: 'kstream_node_cpu_seconds_total',
      help: "CPU time of the node process (every thread: the controller's and the brokers')",
      registers,
      collect() {
        const { user, system } = cpuUsage();
        this.reset();
        this.inc((user + system) / 1e6);
      },
    });
  }

  /** The content type of `scrape`'s text. */
  get contentType(): string {
    return this.#registry.contentType;
  }

  /** One scrape: every broker asked at once, those that answer in time merged with the node's own metrics, in Prometheus text format. */
  async scrape(): Promise<string> {
    const timeoutMs = this.#sources.brokerTimeoutMs ?? BROKER_SCRAPE_TIMEOUT_MS;
    const brokers = this.#sources.brokers();
    const answers = await Promise.allSettled(brokers.map((broker) => broker.metrics(timeoutMs)));
    const snapshots: BrokerMetricsSnapshot[] = [];
    this.#brokerUp.reset();
    answers.forEach((answer, i) => {
      this.#brokerUp.set({ broker: String(brokers[i]!.brokerId) }, answer.status === 'fulfilled' ? 1 : 0);
      if (answer.status === 'fulfilled') snapshots.push(answer.value);
    });
    this.#lag.reset();
    for (const lag of groupLags(snapshots)) this.#lag.set(lag.labels, lag.lag);
    return Registry.merge([AggregatorRegistry.aggregate(snapshots), this.#registry]).metrics();
  }
}

interface PartitionLag {
  readonly labels: { group: string; topic: string; partition: string };
  readonly lag: number;
}

/**
 * Each group's lag on each partition whose leader answered: its
 * kstream_partition_high_watermark minus the kstream_group_committed_offset
 * of the group's coordinator, never below 0.
 */
export function groupLags(snapshots: readonly BrokerMetricsSnapshot[]): PartitionLag[] {
  const highWatermarks = new Map<string, number>();
  for (const { labels, value } of valuesOf(snapshots, 'kstream_partition_high_watermark')) {
    const key = `${labels['topic']}-${labels['partition']}`;
    // Two brokers both claim a leadership only while one has not yet heard it moved: the newer leader's is the higher.
    highWatermarks.set(key, Math.max(value, highWatermarks.get(key) ?? value));
  }
  const lags: PartitionLag[] = [];
  for (const { labels, value } of valuesOf(snapshots, 'kstream_group_committed_offset')) {
    const end = highWatermarks.get(`${labels['topic']}-${labels['partition']}`);
    if (end === undefined) continue;
    lags.push({ labels: { group: String(labels['group']), topic: String(labels['topic']), partition: String(labels['partition']) }, lag: Math.max(0, end - value) });
  }
  return lags;
}

function valuesOf(snapshots: readonly BrokerMetricsSnapshot[], name: string) {
  return snapshots.flatMap((snapshot) => snapshot.filter((metric) => metric.name === name).flatMap((metric) => metric.values));
}
