import type { AbortedTransaction } from '@kstream/log-storage';
import { INITIAL_EPOCH, nextEpoch } from '@kstream/protocol';

/** One partition a fetch asks for, with its topic resolved (Fetch v13+ names topics by id). */
export interface FetchPartitionParams {
  /** The topic's name; empty when a v13+ request names an id this broker does not know. */
  readonly topic: string;
  /** The topic's id; the zero UUID before v13. */
  readonly topicId: string;
  readonly partition: number;
  readonly fetchOffset: bigint;
  readonly partitionMaxBytes: number;
  /** The leader epoch the client believes current; -1 when not given. */
  readonly currentLeaderEpoch: number;
}

/** What a fetch answers for one partition. `records` is the log's own buffer. */
export interface FetchPartitionResult {
  readonly errorCode: number;
  readonly highWatermark: bigint;
  readonly lastStableOffset: bigint;
  readonly logStartOffset: bigint;
  readonly records: Buffer;
  /** read_committed: the aborted transactions whose data lies in `records` (null under read_uncommitted, and with an error). */
  readonly abortedTransactions: AbortedTransaction[] | null;
}

/** A partition of a fetch session: what the client last asked, and what the session last told it. */
export interface CachedPartition extends FetchPartitionParams {
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
}

/** The key a session files a partition under: by topic id once the session uses ids (v13+), by name before. */
export function sessionPartitionKey(p: Pick<FetchPartitionParams, 'topic' | 'topicId' | 'partition'>, usesTopicIds: boolean): string {
  return `${usesTopicIds ? p.topicId : p.topic}:${p.partition}`;
}

/**
 * An incremental fetch session (KIP-227): the partitions a client fetches,
 * kept on the broker so each fetch names only what changed and each response
 * carries only partitions with news. `epoch` is the epoch the next
 * incremental request must carry. Partitions that appear in a response move
 * to the end of the session, so a capped response serves every partition in
 * turn. Not thread-safe; owned by the broker loop.
 */
export class FetchSession {
  readonly partitions = new Map<string, CachedPartition>();
  epoch = nextEpoch(INITIAL_EPOCH);

  constructor(
    readonly id: number,
    readonly usesTopicIds: boolean,
    public lastUsedMs: number,
  ) {}

  get size(): number {
    return this.partitions.size;
  }

  /** An incremental request's changes: new and updated partitions, then forgotten ones. */
  update(changed: readonly FetchPartitionParams[], forgotten: readonly Pick<FetchPartitionParams, 'topic' | 'topicId' | 'partition'>[]): void {
    for (const p of changed) {
      const key = sessionPartitionKey(p, this.usesTopicIds);
      const cached = this.partitions.get(key);
      if (cached === undefined) {
        this.partitions.set(key, { ...p, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n });
      } else {
        Object.assign(cached, { topic: p.topic, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes, currentLeaderEpoch: p.currentLeaderEpoch });
      }
    }
    for (const p of forgotten) this.partitions.delete(sessionPartitionKey(p, this.usesTopicIds));
  }

  /**
   * Whether an incremental response must carry this partition — records,
   * an error, or a high watermark, last stable offset or log start offset the
   * client has not seen — remembering what it is told. An error resets the
   * remembered high watermark, so the partition is sent again once it clears.
   */
  mustRespond(key: string, result: FetchPartitionResult): boolean {
    const cached = this.partitions.get(key);
    if (cached === undefined) return true;
    let changed = result.records.length > 0;
    if (cached.highWatermark !== result.highWatermark || cached.lastStableOffset !== result.lastStableOffset || cached.logStartOffset !== result.logStartOffset) {
      changed = true;
      cached.highWatermark = result.highWatermark;
      cached.lastStableOffset = result.lastStableOffset;
      cached.logStartOffset = result.logStartOffset;
    }
    if (result.errorCode !== 0) {
      cached.highWatermark = -1n;
      changed = true;
    }
    if (changed) {
      this.partitions.delete(key);
      this.partitions.set(key, cached);
    }
    return changed;
  }
}
