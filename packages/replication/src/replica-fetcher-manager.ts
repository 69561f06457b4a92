import { ReplicaFetcher, type ReplicaFetcherOptions } from './replica-fetcher.js';
import type { Partition } from './partition.js';

/**
 * This broker's replica fetchers, one per leader broker it follows
 * partitions from (Kafka's ReplicaFetcherManager with num.replica.fetchers=1):
 * metadata's leader changes move partitions between them; a fetcher left
 * with no partitions is stopped. Not thread-safe; owned by the broker loop.
 */
export class ReplicaFetcherManager {
  readonly #options: ReplicaFetcherOptions;
  readonly #fetchers = new Map<number, ReplicaFetcher>();
  /** Which leader broker each followed partition is fetched from. */
  readonly #sources = new Map<string, number>();
  #closed = false;

  constructor(options: ReplicaFetcherOptions) {
    this.#options = options;
  }

  /** The fetcher for `sourceBrokerId`, if this broker follows anything from it. */
  fetcher(sourceBrokerId: number): ReplicaFetcher | undefined {
    return this.#fetchers.get(sourceBrokerId);
  }

  /** Follows `partition` from its leader in its current leader epoch (a new leader or epoch truncates first); a partition with no leader is not fetched. */
  follow(partition: Partition): void {
    if (this.#closed) return;
    const { leader, leaderEpoch } = partition.state;
    const key = partition.name;
    const previous = this.#sources.get(key);
    if (previous !== undefined && previous !== leader) this.#removeFrom(previous, key);
    if (leader < 0 || leader === this.#options.brokerId) {
      this.#sources.delete(key);
      return;
    }
    let fetcher = this.#fetchers.get(leader);
    if (fetcher === undefined) this.#fetchers.set(leader, (fetcher = new ReplicaFetcher(leader, this.#options)));
    this.#sources.set(key, leader);
    fetcher.addPartition(partition, leaderEpoch);
  }

  /** Stops fetching a partition: this broker leads it now, or no longer hosts it. */
  unfollow(key: string): void {
    const source = this.#sources.get(key);
    if (source === undefined) return;
    this.#sources.delete(key);
    this.#removeFrom(source, key);
  }

  /** The channel to a broker came back (or was replaced): its fetcher retries at once. */
  peerChanged(brokerId: number): void {
    this.#fetchers.get(brokerId)?.wake();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const fetchers = [...this.#fetchers.values()];
    this.#fetchers.clear();
    this.#sources.clear();
    await Promise.all(fetchers.map((f) => f.close()));
  }

  #removeFrom(source: number, key: string): void {
    const fetcher = this.#fetchers.get(source);
    if (fetcher === undefined) return;
    fetcher.removePartition(key);
    if (fetcher.partitionCount === 0) {
      this.#fetchers.delete(source);
      void fetcher.close();
    }
  }
}
