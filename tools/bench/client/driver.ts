// What the client benchmark needs of a Kafka client, so each client is driven
// by the same loops (worker.ts): a producer that sends unkeyed values and says
// how many were acknowledged, and a consumer that hands every value over.

export interface ProducerSpec {
  readonly bootstrap: string;
  readonly acks: 1 | -1;
  readonly idempotent: boolean;
  /** For the latency run: send as soon as possible (linger 0) where the client batches by time. */
  readonly lowLatency: boolean;
}

export interface BenchProducer {
  /** Sends the values, no key, to the topic; resolves once every one is acknowledged, to how many were. */
  send(topic: string, values: readonly Buffer[]): Promise<number>;
  /** Whether idempotence is on, as the client says after connecting; null if it does not say. */
  readonly idempotent: boolean | null;
  close(): Promise<void>;
}

export interface ConsumerSpec {
  readonly bootstrap: string;
  readonly topic: string;
  readonly from: 'earliest' | 'latest';
  /** A group new to the cluster, for clients that only consume in a group. */
  readonly groupId: string;
  /** Called once per record, in the client's own delivery order. */
  readonly onRecord: (value: Buffer) => void;
  /** Called if the client's own loop stops with an error (the run then fails instead of waiting out its deadline). */
  readonly onError: (error: unknown) => void;
}

export interface BenchConsumer {
  close(): Promise<void>;
}

export interface ClientDriver {
  /** How the benchmark calls the client: its API and the options that differ from its defaults. */
  readonly description: string;
  /** What the client reported while running (e.g. idempotence off). */
  readonly notes: string[];
  producer(spec: ProducerSpec): Promise<BenchProducer>;
  /** Resolves once the consumer is started; records may arrive before or after. */
  consumer(spec: ConsumerSpec): Promise<BenchConsumer>;
}
