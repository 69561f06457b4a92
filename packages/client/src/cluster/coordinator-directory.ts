// Which broker coordinates each consumer group and transactional id, as
// FindCoordinator last said: looked up on first use, lookups asked for in
// the same tick sent as one batched request, retried while the coordinator
// is loading or moving, cached until a caller invalidates it (after
// NOT_COORDINATOR or a failed connection).
import type { BrokerConnection } from '../connection/broker-connection.js';
import { withRetry } from '../errors/retry.js';
import type { ResolvedClientOptions } from '../options/client-options.js';
import { findCoordinators, type CoordinatorAddress, type CoordinatorKeyType } from './coordinator-lookup.js';

/** What the directory needs from the cluster client. */
export interface CoordinatorHost {
  readonly options: ResolvedClientOptions;
  /** Aborted when the client closes. */
  readonly signal: AbortSignal;
  anyBroker(): Promise<BrokerConnection>;
  broker(nodeId: number): Promise<BrokerConnection>;
  /** A coordinator's endpoint, which Metadata may not list yet. */
  learnBroker(address: CoordinatorAddress): void;
}

interface PromiseSettlers<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

export class CoordinatorDirectory {
  private readonly cached = new Map<string, Promise<number>>();
  // Lookups asked for in this tick, by key type then key: sent together when the tick ends.
  private readonly batches = new Map<CoordinatorKeyType, Map<string, Array<PromiseSettlers<CoordinatorAddress>>>>();

  constructor(private readonly host: CoordinatorHost) {}

  async coordinator(keyType: CoordinatorKeyType, key: string): Promise<BrokerConnection> {
    const cacheKey = `${keyType}\u0000${key}`;
    let lookup = this.cached.get(cacheKey);
    if (lookup === undefined) {
      lookup = this.lookUp(keyType, key);
      this.cached.set(cacheKey, lookup);
      lookup.catch(() => this.forget(cacheKey, lookup!));
    }
    const nodeId = await lookup;
    try {
      return await this.host.broker(nodeId);
    } catch (error) {
      this.forget(cacheKey, lookup);
      throw error;
    }
  }

  invalidate(keyType: CoordinatorKeyType, key: string): void {
    this.cached.delete(`${keyType}\u0000${key}`);
  }

  private forget(cacheKey: string, lookup: Promise<number>): void {
    if (this.cached.get(cacheKey) === lookup) this.cached.delete(cacheKey);
  }

  private async lookUp(keyType: CoordinatorKeyType, key: string): Promise<number> {
    const { options } = this.host;
    const address = await withRetry(() => this.batched(keyType, key), {
      ...options,
      deadline: Date.now() + options.requestTimeoutMs,
      signal: this.host.signal,
      description: `FindCoordinator for ${keyType} ${key}`,
    });
    this.host.learnBroker(address);
    return address.nodeId;
  }

  private batched(keyType: CoordinatorKeyType, key: string): Promise<CoordinatorAddress> {
    let batch = this.batches.get(keyType);
    if (batch === undefined) {
      batch = new Map();
      this.batches.set(keyType, batch);
      queueMicrotask(() => void this.send(keyType));
    }
    let waiting = batch.get(key);
    if (waiting === undefined) batch.set(key, (waiting = []));
    const settlers = waiting;
    return new Promise((resolve, reject) => settlers.push({ resolve, reject }));
  }

  private async send(keyType: CoordinatorKeyType): Promise<void> {
    const batch = this.batches.get(keyType)!;
    this.batches.delete(keyType);
    try {
      const results = await findCoordinators(await this.host.anyBroker(), keyType, [...batch.keys()]);
      for (const [key, settlers] of batch) {
        const result = results.get(key)!;
        for (const { resolve, reject } of settlers) result instanceof Error ? reject(result) : resolve(result);
      }
    } catch (error) {
      for (const settlers of batch.values()) for (const { reject } of settlers) reject(error);
    }
  }
}
