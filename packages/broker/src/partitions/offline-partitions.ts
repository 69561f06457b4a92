import type { Logger } from '@kstream/actor';
import type { PartitionAssignment } from './hosted-partitions.js';
import { partitionKey } from '@kstream/replication';

/** How often an offline partition's log is tried again: doubling from `initialMs` up to `maxMs`. */
export interface OfflineRetryBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** Half a second, doubling up to every 5 s: a freed disk is noticed within seconds. */
export const DEFAULT_OFFLINE_RETRY_BACKOFF: OfflineRetryBackoff = { initialMs: 500, maxMs: 5_000 };

export interface OfflinePartition {
  readonly topic: string;
  readonly partition: number;
  readonly name: string;
  /** The latest assignment of the partition: what a retry hosts. */
  readonly assignment: PartitionAssignment;
  /** Why its log did not open, the last time it was tried. */
  readonly error: Error;
  readonly since: number;
  readonly attempts: number;
}

interface Entry extends OfflinePartition {
  timer: NodeJS.Timeout | undefined;
}

/**
 * The partitions assigned to this broker whose log failed to open (a
 * storage error: a full disk at start, an I/O error), which requests find
 * offline (KAFKA_STORAGE_ERROR), and their retries: each is tried again
 * after a capped exponential backoff until it opens, so a partition comes
 * back once the disk does, without a restart. Logged once as it goes
 * offline and once as it comes back, never per retry. Not thread-safe;
 * owned by the broker loop.
 */
export class OfflinePartitions {
  readonly #entries = new Map<string, Entry>();
  #closed = false;

  constructor(
    private readonly options: {
      readonly logger: Logger;
      readonly backoff: OfflineRetryBackoff;
      readonly clock: () => number;
      /** Tries to host the partition again; reports the outcome with failed or online. */
      readonly retry: (assignment: PartitionAssignment) => void;
    },
  ) {}

  get(key: string): OfflinePartition | undefined {
    return this.#entries.get(key);
  }

  /** Opening the partition's log failed: it is (or stays) offline and is tried again later. */
  failed(assignment: PartitionAssignment, logDir: string, error: Error): void {
    const name = partitionKey(assignment.topic, assignment.partition);
    const previous = this.#entries.get(name);
    if (previous === undefined) {
      this.options.logger.error('Failed to open a partition log: the partition is offline on this broker until a retry opens it', {
        partition: name,
        logDir,
        error,
      });
    }
    clearTimeout(previous?.timer);
    const attempts = (previous?.attempts ?? 0) + 1;
    const entry: Entry = {
      topic: assignment.topic,
      partition: assignment.partition,
      name,
      assignment,
      error,
      since: previous?.since ?? this.options.clock(),
      attempts,
      timer: undefined,
    };
    this.#entries.set(name, entry);
    if (this.#closed) return;
    const { initialMs, maxMs } = this.options.backoff;
    const delay = Math.min(maxMs, initialMs * 2 ** Math.min(attempts - 1, 30));
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (this.#entries.get(name) === entry) this.options.retry(entry.assignment);
    }, delay);
    entry.timer.unref();
  }

  /** The partition's log opened: if it was offline, it is back. */
  online(key: string, logDir: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#remove(entry);
    this.options.logger.info('Partition back online: its log opened', {
      partition: key,
      logDir,
      offlineMs: this.options.clock() - entry.since,
      attempts: entry.attempts,
    });
  }

  /** The partition is no longer assigned here: no more retries. Returns it if it was offline. */
  remove(key: string): OfflinePartition | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) this.#remove(entry);
    return entry;
  }

  /** The broker is stopping: no more retries. */
  close(): void {
    this.#closed = true;
    for (const entry of this.#entries.values()) clearTimeout(entry.timer);
  }

  #remove(entry: Entry): void {
    clearTimeout(entry.timer);
    this.#entries.delete(entry.name);
  }
}
