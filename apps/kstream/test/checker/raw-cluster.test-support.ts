// What the fault run's protocol-level clients share: a connection per broker
// (opened again after a loss), each partition's leader and ISR from
// Metadata (asked again after an error, of any broker that answers), and a
// deadline on every request, since a paused broker accepts and never answers.
import { setTimeout as sleep } from 'node:timers/promises';
import { RawConnection } from '../raw-connection.test-support.js';
import { topicMetadata } from '../raw-requests.test-support.js';

/** `promise`, or a rejection naming `what` after `ms`; the promise's own later rejection is absorbed. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  promise.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** One open connection per broker; a lost or timed-out one is dropped and opened again on next use. */
export class ConnectionPool {
  readonly #open = new Map<number, Promise<RawConnection>>();

  /** Connects on loopback: refused at once when the broker is down, accepted by the kernel even when it is paused. */
  constructor(private readonly port: (broker: number) => number) {}

  /** The open connection to `broker`; one found closed is replaced by a new one, once. Rejects when the broker refuses. */
  async get(broker: number): Promise<RawConnection> {
    const cached = this.#open.get(broker);
    if (cached !== undefined) {
      const conn = await cached.catch(() => null);
      if (conn !== null && !conn.isClosed) return conn;
      if (this.#open.get(broker) === cached) this.#open.delete(broker);
    }
    const opening = this.#open.get(broker) ?? RawConnection.open(this.port(broker));
    this.#open.set(broker, opening);
    try {
      return await opening;
    } catch (error) {
      if (this.#open.get(broker) === opening) this.#open.delete(broker);
      throw new Error(`no connection to broker ${broker}: ${(error as Error).message}`);
    }
  }

  /** Closes broker `broker`'s connection (after a request timed out on it): what was in flight on it fails. */
  drop(broker: number): void {
    const conn = this.#open.get(broker);
    this.#open.delete(broker);
    conn?.then((c) => c.close()).catch(() => {});
  }

  close(): void {
    for (const broker of [...this.#open.keys()]) this.drop(broker);
  }
}

export interface PartitionState {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

/** Each partition's leader, replicas and ISR as the last Metadata that answered said; refreshed one request at a time. */
export class LeaderDirectory {
  #partitions = new Map<number, PartitionState>();
  #refreshing: Promise<void> | null = null;
  #next = 0;

  constructor(
    private readonly pool: ConnectionPool,
    private readonly brokers: readonly number[],
    readonly topic: string,
    private readonly timeoutMs = 1_000,
  ) {}

  leader(partition: number): number | undefined {
    const leader = this.#partitions.get(partition)?.leader;
    return leader === undefined || leader < 0 ? undefined : leader;
  }

  get partitions(): ReadonlyMap<number, PartitionState> {
    return this.#partitions;
  }

  /** Asks the brokers in turn until one answers Metadata; callers that arrive meanwhile share the request. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#ask().finally(() => (this.#refreshing = null));
    return this.#refreshing;
  }

  async #ask(): Promise<void> {
    for (let tries = 0; tries < this.brokers.length; tries++) {
      const broker = this.brokers[this.#next++ % this.brokers.length]!;
      try {
        const conn = await this.pool.get(broker);
        const [answer] = await within(topicMetadata(conn, [this.topic]), this.timeoutMs, `Metadata from broker ${broker}`);
        if (answer === undefined || answer.errorCode !== 0) continue;
        this.#partitions = new Map(answer.partitions.map((p) => [p.partitionIndex, { leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes, isr: p.isrNodes }]));
        return;
      } catch {
        this.pool.drop(broker);
      }
    }
    await sleep(50);
  }
}
