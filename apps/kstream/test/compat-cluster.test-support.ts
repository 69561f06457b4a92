// A 3-broker cluster for one compatibility test file: its own temp data
// dir, kafkajs clients pointed at it, and a restart on the same data dir.
import type { Admin, Consumer, ConsumerConfig, Kafka, Producer } from 'kafkajs';
import { makeTempDir, removeDir } from '../src/cluster.test-support.js';
import { LogCapture } from '../src/log-capture.test-support.js';
import { startCluster } from '../src/start-cluster.js';
import type { Cluster, ClusterOptions } from '../src/start-cluster.js';
import { kafkaClient } from './kafkajs-client.test-support.js';

/** Broker configs as `kstream start --config key=value` takes them (the node validates them). */
export type BrokerConfigs = Readonly<Record<string, string>>;

export class CompatCluster {
  #cluster: Cluster;
  readonly #clients: Array<{ disconnect(): Promise<void> }> = [];

  private constructor(
    cluster: Cluster,
    readonly dataDir: string,
    private readonly options: ClusterOptions,
    /** The node's log and its brokers', across restarts: kept off stderr, for tests to assert on. */
    readonly logs: LogCapture,
  ) {
    this.#cluster = cluster;
  }

  /** Starts 3 brokers on free ports with data in a fresh temp dir named after the test file; `node` sets the node's timings (session timeout, restart policy). */
  static async start(name: string, config?: BrokerConfigs, node?: Omit<Partial<ClusterOptions>, 'dataDir' | 'config' | 'logger'>): Promise<CompatCluster> {
    const dataDir = await makeTempDir(name);
    const logs = new LogCapture();
    const options: ClusterOptions = { brokers: 3, port: 0, ...node, dataDir, logger: logs, ...(config === undefined ? {} : { config }) };
    try {
      return new CompatCluster(await startCluster(options), dataDir, options, logs);
    } catch (error) {
      await removeDir(dataDir);
      throw error;
    }
  }

  get cluster(): Cluster {
    return this.#cluster;
  }

  get bootstrap(): string {
    return this.#cluster.bootstrap;
  }

  /** The listener port of broker `id`. */
  port(id: number): number {
    const broker = this.#cluster.brokers.find((b) => b.id === id);
    if (broker === undefined) throw new Error(`no broker ${id} in ${this.bootstrap}`);
    return broker.port;
  }

  /** A kafkajs client with short retries, so a broker bug fails a test instead of stalling it. */
  kafka(): Kafka {
    return kafkaClient(this.bootstrap);
  }

  async admin(): Promise<Admin> {
    const admin = this.kafka().admin();
    this.#clients.push(admin);
    await admin.connect();
    return admin;
  }

  async producer(config?: Parameters<Kafka['producer']>[0]): Promise<Producer> {
    const producer = this.kafka().producer(config);
    this.#clients.push(producer);
    await producer.connect();
    return producer;
  }

  /** A connected kafkajs consumer (not yet running), disconnected when the node stops or restarts. */
  async consumer(config: ConsumerConfig): Promise<Consumer> {
    const consumer = this.kafka().consumer(config);
    this.#clients.push(consumer);
    await consumer.connect();
    return consumer;
  }

  /** Stops the node cleanly and starts it again on the same data dir (new ports, as port 0 picks them). */
  async restart(): Promise<void> {
    await this.#disconnectClients();
    await this.#cluster.stop();
    this.#cluster = await startCluster(this.options);
  }

  async stop(): Promise<void> {
    try {
      await this.#disconnectClients();
      await this.#cluster.stop();
    } finally {
      await removeDir(this.dataDir);
    }
  }

  async #disconnectClients(): Promise<void> {
    await Promise.allSettled(this.#clients.splice(0).map((c) => c.disconnect()));
  }
}

/** A topic name unique to this run, so reruns against a kept data dir never collide. */
export function topicName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}
