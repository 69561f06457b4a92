// What the replication benchmark asks the brokers over the wire: connections
// by broker id, and a partition's leader, replicas and ISR from Metadata —
// the view any Kafka client has.
import { Metadata, ZERO_UUID } from '@kstream/protocol';
import { KafkaConnection } from './kafka-connection.js';

const METADATA_VERSION = 12;
const CONNECT_TIMEOUT_MS = 2_000;
const METADATA_TIMEOUT_MS = 2_000;

export interface BrokerAddress {
  readonly id: number;
  readonly host: string;
  readonly port: number;
}

export interface PartitionView {
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

export class ClusterClient {
  readonly #brokers: readonly BrokerAddress[];
  readonly #connections = new Map<number, Promise<KafkaConnection>>();

  constructor(brokers: readonly BrokerAddress[]) {
    this.#brokers = brokers;
  }

  /** An open connection to broker `id`, opened again if the last one closed. */
  async connection(id: number): Promise<KafkaConnection> {
    const cached = this.#connections.get(id);
    if (cached !== undefined) {
      const open = await cached.catch(() => undefined);
      if (open !== undefined && !open.isClosed) return open;
    }
    const broker = this.#brokers.find((b) => b.id === id);
    if (broker === undefined) throw new Error(`broker ${id} is not one of ${this.#brokers.map((b) => b.id).join(', ')}`);
    const opening = KafkaConnection.open(broker.host, broker.port, CONNECT_TIMEOUT_MS);
    this.#connections.set(id, opening);
    return opening;
  }

  /**
   * The partition as the first broker that answers Metadata sees it, asking
   * `avoid` last (the broker a caller just lost); throws if none answers.
   */
  async partition(topic: string, partition: number, avoid?: number): Promise<PartitionView> {
    const order = [...this.#brokers].sort((a, b) => Number(a.id === avoid) - Number(b.id === avoid));
    const failures: string[] = [];
    for (const broker of order) {
      try {
        const connection = await this.connection(broker.id);
        const response = await connection.request(
          Metadata,
          METADATA_VERSION,
          { topics: [{ topicId: ZERO_UUID, name: topic }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false },
          METADATA_TIMEOUT_MS,
        );
        const found = response.topics.find((t) => t.name === topic)?.partitions.find((p) => p.partitionIndex === partition);
        if (found === undefined) throw new Error(`no metadata for ${topic}-${partition}`);
        return { leaderId: found.leaderId, leaderEpoch: found.leaderEpoch, replicas: found.replicaNodes, isr: found.isrNodes };
      } catch (error) {
        failures.push(`broker ${broker.id}: ${(error as Error).message}`);
      }
    }
    throw new Error(`Metadata for ${topic}-${partition}: no broker answered (${failures.join('; ')})`);
  }

  /** Polls Metadata every `pollMs` until `test` holds; fails after `timeoutMs`, naming `what` and the last view. */
  async waitFor(topic: string, partition: number, what: string, test: (view: PartitionView) => boolean, timeoutMs: number, pollMs = 10): Promise<PartitionView> {
    const deadline = performance.now() + timeoutMs;
    let last: PartitionView | string = 'no answer yet';
    for (;;) {
      try {
        const view = await this.partition(topic, partition);
        if (test(view)) return view;
        last = view;
      } catch (error) {
        last = (error as Error).message;
      }
      if (performance.now() > deadline) throw new Error(`${topic}-${partition}: ${what} not seen within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  close(): void {
    for (const opening of this.#connections.values())
      void opening.then(
        (c) => c.close(),
        () => {},
      );
    this.#connections.clear();
  }
}
