import { FetchSession } from './fetch-session.js';

export interface FetchSessionCacheOptions {
  /** max.incremental.fetch.session.cache.slots (Kafka's default 1000). */
  readonly maxSlots: number;
  /** min.incremental.fetch.session.eviction.ms: a session unused this long may be evicted for any new one (Kafka's 120000). */
  readonly evictionMs: number;
  readonly clock: () => number;
  /** Session ids: random positive int32s by default. */
  readonly newId?: () => number;
}

/**
 * The broker's fetch sessions (Kafka's FetchSessionCache), at most `maxSlots`.
 * When full, a new session takes the slot of the least recently used one if
 * that has been idle for `evictionMs`; failing that, of the smallest session
 * (fewest partitions) if the new one is larger — big sessions save the most
 * bytes. Otherwise no session is made and the fetch goes on without one.
 * Not thread-safe; owned by the broker loop.
 */
export class FetchSessionCache {
  /** In least-recently-used order: `touch` moves a session to the end. */
  readonly #sessions = new Map<number, FetchSession>();
  readonly #options: FetchSessionCacheOptions;

  constructor(options: FetchSessionCacheOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#sessions.size;
  }

  get(id: number): FetchSession | undefined {
    return this.#sessions.get(id);
  }

  /** Marks a session used now. */
  touch(session: FetchSession): void {
    session.lastUsedMs = this.#options.clock();
    this.#sessions.delete(session.id);
    this.#sessions.set(session.id, session);
  }

  remove(id: number): boolean {
    return this.#sessions.delete(id);
  }

  /** A new empty session sized for `partitionCount` partitions, or undefined when no slot can be had. */
  create(partitionCount: number, usesTopicIds: boolean): FetchSession | undefined {
    if (this.#options.maxSlots <= 0) return undefined;
    if (this.#sessions.size >= this.#options.maxSlots && !this.evictFor(partitionCount)) return undefined;
    const session = new FetchSession(this.newId(), usesTopicIds, this.#options.clock());
    this.#sessions.set(session.id, session);
    return session;
  }

  private evictFor(partitionCount: number): boolean {
    const now = this.#options.clock();
    const leastRecent = this.#sessions.values().next().value;
    if (leastRecent !== undefined && now - leastRecent.lastUsedMs >= this.#options.evictionMs) {
      this.#sessions.delete(leastRecent.id);
      return true;
    }
    let smallest: FetchSession | undefined;
    for (const s of this.#sessions.values()) {
      if (smallest === undefined || s.size < smallest.size) smallest = s;
    }
    if (smallest === undefined || smallest.size >= partitionCount) return false;
    this.#sessions.delete(smallest.id);
    return true;
  }

  private newId(): number {
    const next = this.#options.newId ?? (() => 1 + Math.floor(Math.random() * 0x7ffffffe));
    for (;;) {
      const id = next();
      if (id > 0 && !this.#sessions.has(id)) return id;
    }
  }
}
