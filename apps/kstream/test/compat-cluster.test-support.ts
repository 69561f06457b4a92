// A 3-broker cluster for one compatibility test file: its own temp data
// dir, kafkajs clients pointed at it, a restart on the same data dir, and
// the log lines the brokers wrote (every broker worker's stderr is piped to
// this process's stderr).
import { Kafka, logLevel } from 'kafkajs';
import type { Admin, Producer } from 'kafkajs';
import { makeTempDir, removeDir } from '../src/cluster.test-support.js';
import { startCluster } from '../src/start-cluster.js';
import type { Cluster, ClusterOptions } from '../src/start-cluster.js';

// kafkajs 2 prints a notice about its v1 partitioner on every producer; the default (murmur2) is the one under test.
process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';

/** Broker configs as `kstream start --config key=value` takes them (the node validates them). */
export type BrokerConfigs = Readonly<Record<string, string>>;

export class CompatCluster {
  #cluster: Cluster;
  readonly #clients: Array<{ disconnect(): Promise<void> }> = [];

  private constructor(
    cluster: Cluster,
    readonly dataDir: string,
    private readonly options: ClusterOptions,
  ) {
    this.#cluster = cluster;
  }

  /** Starts 3 brokers on free ports with data in a fresh temp dir named after the test file. */
  static async start(name: string, config?: BrokerConfigs): Promise<CompatCluster> {
    const dataDir = await makeTempDir(name);
    const options: ClusterOptions = { brokers: 3, dataDir, port: 0, ...(config === undefined ? {} : { config }) };
    try {
      return new CompatCluster(await startCluster(options), dataDir, options);
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
    return new Kafka({
      clientId: 'kstream-compat',
      brokers: this.bootstrap.split(','),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
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

/** Lines written to this process's stderr (the brokers' logs among them) while capturing. */
export class StderrCapture {
  readonly #lines: string[] = [];
  readonly #original = process.stderr.write;
  #partial = '';

  constructor() {
    const original = this.#original;
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      this.#collect(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (original as (...args: unknown[]) => boolean).call(process.stderr, chunk, ...rest);
    }) as typeof process.stderr.write;
  }

  get lines(): readonly string[] {
    return this.#lines;
  }

  /** Resolves with the first line (from line `from` on) that `match` accepts, or null after `timeoutMs`. */
  async find(match: (line: string) => boolean, { from = 0, timeoutMs = 5_000 } = {}): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.#lines.slice(from).find(match);
      if (line !== undefined) return line;
      if (Date.now() > deadline) return null;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  restore(): void {
    process.stderr.write = this.#original;
  }

  #collect(text: string): void {
    const parts = (this.#partial + text).split('\n');
    this.#partial = parts.pop()!;
    this.#lines.push(...parts);
  }
}

/** A topic name unique to this run, so reruns against a kept data dir never collide. */
export function topicName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}
