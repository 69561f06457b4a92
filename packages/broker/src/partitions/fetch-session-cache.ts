import { FetchSession } from './fetch-session.js';

export interface FetchSessionCacheOptions {
  /** max.incremental.fetch.session.cache.slots (Kafka's default 1000). */
  readonly maxSlots: number;
  /** max.incremental.fetch.session.cache.partitions: the partitions all sessions together may hold (kstream's own; 1,000,000). */
  readonly maxPartitions: number;
  /** min.incremental.fetch.session.eviction.ms: a session unused this long may be evicted for any new one (Kafka's 120000). */
  readonly evictionMs: number;
  readonly clock: () => number;
  /** Session ids: random positive int32s by default. */
  readonly newId?: () => number;
}

/**
 * The broker's fetch sessions (Kafka's FetchSessionCache): at most `maxSlots`
 * sessions holding at most `maxPartitions` partitions between them — Kafka
 * bounds only the slots, and one full fetch of ~100 MiB names millions of
 * partitions. A new session that does not fit takes the room of the least
 * recently used sessions that have been idle for `evictionMs`; failing that,
 * of the smallest sessions if each is smaller than the new one — big sessions
 * save the most bytes. Sessions are evicted only if that makes room;
 * otherwise no session is made and the fetch goes on without one (id 0).
 * An incremental fetch that grows its session past `maxPartitions` loses the
 * session (`resized` answers false): the fetch is answered
 * FETCH_SESSION_ID_NOT_FOUND, which clients answer with a new full fetch, and
 * that one is sessionless if it still does not fit. Serving the grown session
 * and evicting others instead would let one client push out everyone's.
 * `partitionCount` is kept as a running total. Not thread-safe; owned by the
 * broker loop.
 */
export class FetchSessionCache {
  /** In least-recently-used order: `touch` moves a session to the end. */
  readonly #sessions = new Map<number, FetchSession>();
  readonly #options: FetchSessionCacheOptions;
  #partitionCount = 0;

  constructor(options: FetchSessionCacheOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** The partitions of all sessions together. */
  get partitionCount(): number {
    return this.#partitionCount;
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
    const session = this.#sessions.get(id);
    if (session === undefined) return false;
    this.#sessions.delete(id);
    this.#partitionCount -= session.size;
    return true;
  }

  /**
   * A new empty session with room for `partitionCount` partitions, or
   * undefined when no slot or room can be had. The room is counted at once;
   * `resized(session, partitionCount)` settles it once the partitions are in.
   */
  create(partitionCount: number, usesTopicIds: boolean): FetchSession | undefined {
    const { maxSlots, maxPartitions } = this.#options;
    if (maxSlots <= 0 || partitionCount > maxPartitions) return undefined;
    const victims = this.victimsFor(partitionCount);
    if (victims === undefined) return undefined;
    for (const victim of victims) this.remove(victim.id);
    const session = new FetchSession(this.newId(), usesTopicIds, this.#options.clock());
    this.#sessions.set(session.id, session);
    this.#partitionCount += partitionCount;
    return session;
  }

  /**
   * Counts a session's change of size from `counted` partitions to its
   * current size. A session that no longer fits is removed: false.
   */
  resized(session: FetchSession, counted: number): boolean {
    if (this.#sessions.get(session.id) !== session) return false;
    this.#partitionCount += session.size - counted;
    if (this.#partitionCount <= this.#options.maxPartitions) return true;
    this.remove(session.id);
    return false;
  }

  /** The sessions to evict so a session of `partitionCount` fits (none when it fits already), or undefined when it cannot. */
  private victimsFor(partitionCount: number): FetchSession[] | undefined {
    const victims: FetchSession[] = [];
    let slotsNeeded = this.#sessions.size + 1 - this.#options.maxSlots;
    let partitionsNeeded = this.#partitionCount + partitionCount - this.#options.maxPartitions;
    const take = (session: FetchSession): boolean => {
      victims.push(session);
      slotsNeeded -= 1;
      partitionsNeeded -= session.size;
      return slotsNeeded <= 0 && partitionsNeeded <= 0;
    };
    if (slotsNeeded <= 0 && partitionsNeeded <= 0) return victims;
    const now = this.#options.clock();
    const busy: FetchSession[] = [];
    for (const session of this.#sessions.values()) {
      if (now - session.lastUsedMs >= this.#options.evictionMs) {
        if (take(session)) return victims;
      } else if (session.size < partitionCount) {
        busy.push(session);
      }
    }
    busy.sort((a, b) => a.size - b.size);
    for (const session of busy) if (take(session)) return victims;
    return undefined;
  }

  private newId(): number {
    const next = this.#options.newId ?? (() => 1 + Math.floor(Math.random() * 0x7ffffffe));
    for (;;) {
      const id = next();
      if (id > 0 && !this.#sessions.has(id)) return id;
    }
  }
}
