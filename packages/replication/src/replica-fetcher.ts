import { RepeatedLog, type Logger } from '@kstream/actor';
import { ErrorCode } from '@kstream/protocol';
import type { ReplicaFetchPartitionResult, ReplicaFetchReply, ReplicaPeers } from './messages.js';
import { FollowerFetchSession, type SessionMember } from './follower-fetch-session.js';
import { truncationOffset } from './follower-truncation.js';
import { type Partition, partitionKey } from './partition.js';
import { errorMessageOf } from './partition-errors.js';

/** How soon a partition is asked again of a leader that is behind on metadata (see #partitionFailed). */
const LEADER_BEHIND_RETRY_MS = 50;

export interface ReplicaFetcherOptions {
  readonly brokerId: number;
  readonly peers: ReplicaPeers;
  /** replica.fetch.wait.max.ms (Kafka's 500). */
  readonly maxWaitMs: number;
  /** replica.fetch.max.bytes (Kafka's 1048576). */
  readonly partitionMaxBytes: number;
  /** replica.fetch.response.max.bytes (Kafka's 10485760). */
  readonly maxBytes: number;
  /** replica.fetch.backoff.ms (Kafka's 1000). */
  readonly backoffMs: number;
  /** How long an ask may take beyond the leader's long poll before it counts as lost (Kafka's replica.socket.timeout.ms, 30000). */
  readonly requestTimeoutMs: number;
  readonly clock?: () => number;
  readonly logger: Logger;
}

/** One partition a fetcher follows: in the leader epoch it was added for, truncating first, then fetching. */
interface FollowedPartition extends SessionMember {
  state: 'truncating' | 'fetching';
  /** No request for it before this time (a partition error's backoff). */
  delayedUntilMs: number;
}

/**
 * Fetches every partition this broker follows from one leader broker
 * (Kafka's ReplicaFetcherThread): a partition added for a new leader or
 * leader epoch first truncates its log by epoch (OffsetsForLeaderEpoch, see
 * truncationOffset), then one long-poll ReplicaFetch at a time carries each
 * partition's log end offset, leader epoch and last fetched epoch; the
 * batches are appended as they are, the high watermark and log start offset
 * follow the leader's, and the next fetch goes at once. A partition error
 * (a fenced or unknown epoch, NOT_LEADER_OR_FOLLOWER) holds that partition
 * back for replica.fetch.backoff.ms; a failed ask (no channel, closed, timed
 * out) holds them all. Metadata re-adding a partition, or `wake`, retries at
 * once. Never throws out of its loop. Not thread-safe; owned by the broker loop.
 */
export class ReplicaFetcher {
  readonly #options: ReplicaFetcherOptions;
  readonly #clock: () => number;
  readonly #repeated: RepeatedLog;
  readonly #partitions = new Map<string, FollowedPartition>();
  readonly #session = new FollowerFetchSession<FollowedPartition>();
  #wakeUp: (() => void) | undefined;
  #closed = false;
  /** The changes to logs a reply is making, which close waits for (never the ask itself: a parked fetch may take replica.fetch.wait.max.ms). */
  #applying: Promise<void> = Promise.resolve();

  constructor(
    readonly sourceBrokerId: number,
    options: ReplicaFetcherOptions,
  ) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
    this.#repeated = new RepeatedLog(options.logger);
    void this.#run();
  }

  get partitionCount(): number {
    return this.#partitions.size;
  }

  /** The state of a followed partition, for tests and descriptions. */
  stateOf(key: string): 'truncating' | 'fetching' | undefined {
    return this.#partitions.get(key)?.state;
  }

  /**
   * Follows `partition` in `leaderEpoch`: truncation first, unless it already
   * follows it in that epoch. It is asked for at once; the other partitions
   * keep their backoffs (clearing them all, as `wake` does, would cost every
   * added partition a pass over all the followed ones).
   */
  addPartition(partition: Partition, leaderEpoch: number): void {
    const existing = this.#partitions.get(partition.name);
    if (existing !== undefined && existing.partition === partition && existing.leaderEpoch === leaderEpoch) {
      existing.delayedUntilMs = 0;
    } else {
      this.#partitions.set(partition.name, { partition, leaderEpoch, state: 'truncating', delayedUntilMs: 0, sent: undefined, sentIn: 0 });
    }
    this.#wakeUp?.();
  }

  removePartition(key: string): void {
    this.#partitions.delete(key);
  }

  /** Retries what waits for a backoff now (the channel to the leader came back, metadata changed). */
  wake(): void {
    for (const followed of this.#partitions.values()) followed.delayedUntilMs = 0;
    this.#wakeUp?.();
  }

  /** Stops the loop once the reply being applied is; a request in flight is answered into nothing. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#partitions.clear();
    this.#wakeUp?.();
    await this.#applying;
    this.#repeated.close();
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      const now = this.#clock();
      const ready = [...this.#partitions.values()].filter((p) => p.delayedUntilMs <= now);
      if (ready.length === 0) {
        const next = Math.min(...[...this.#partitions.values()].map((p) => p.delayedUntilMs));
        await this.#sleep(Number.isFinite(next) ? next - now : undefined);
        continue;
      }
      try {
        const truncating = ready.filter((p) => p.state === 'truncating');
        if (truncating.length > 0) await this.#truncate(truncating);
        else await this.#fetch(ready);
      } catch (error) {
        this.#repeated.warn(
          `fetch|${this.sourceBrokerId}|${errorClass(error)}`,
          `broker ${this.#options.brokerId}: fetching from broker ${this.sourceBrokerId} failed; backing off ${this.#options.backoffMs} ms`,
          {
            error,
          },
        );
        const until = this.#clock() + this.#options.backoffMs;
        for (const p of ready) if (this.#partitions.get(p.partition.name) === p) p.delayedUntilMs = until;
      }
    }
  }

  #sleep(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => done(), Math.max(1, ms));
      const done = (): void => {
        clearTimeout(timer);
        this.#wakeUp = undefined;
        resolve();
      };
      this.#wakeUp = done;
    });
  }

  /** KIP-101/279: asks the leader where its log ends for each partition's latest epoch and truncates there (a partition with no epoch: to its high watermark). */
  async #truncate(list: FollowedPartition[]): Promise<void> {
    const asking: FollowedPartition[] = [];
    for (const followed of list) {
      const latest = followed.partition.log.leaderEpochCache.latestEpoch();
      if (latest !== undefined) {
        asking.push(followed);
        continue;
      }
      await this.#apply(() =>
        this.#guarded(followed, async () => {
          await followed.partition.truncateTo(followed.partition.highWatermark);
          followed.state = 'fetching';
        }),
      );
    }
    if (asking.length === 0) return;
    const reply = await this.#options.peers.ask(
      this.sourceBrokerId,
      {
        type: 'OffsetsForLeaderEpoch',
        replicaId: this.#options.brokerId,
        partitions: asking.map((f) => ({
          topic: f.partition.topic,
          partition: f.partition.partition,
          currentLeaderEpoch: f.leaderEpoch,
          leaderEpoch: f.partition.log.leaderEpochCache.latestEpoch() ?? -1,
        })),
      },
      { timeoutMs: this.#options.requestTimeoutMs },
    );
    await this.#apply(async () => {
      for (const [i, result] of reply.partitions.entries()) {
        const followed = asking[i]!;
        if (!this.#isCurrent(followed) || followed.state !== 'truncating') continue;
        if (result.errorCode !== ErrorCode.NONE) {
          this.#partitionFailed(followed, result.errorCode, 'OffsetsForLeaderEpoch');
          continue;
        }
        await this.#guarded(followed, () => this.#truncateTo(followed, { epoch: result.leaderEpoch, endOffset: result.endOffset }));
      }
    });
  }

  #apply(changes: () => Promise<void>): Promise<void> {
    this.#applying = changes();
    return this.#applying;
  }

  async #truncateTo(followed: FollowedPartition, leaderEnd: { epoch: number; endOffset: bigint }): Promise<void> {
    const { partition } = followed;
    const decision = truncationOffset(leaderEnd, {
      logEndOffset: partition.logEndOffset,
      highWatermark: partition.highWatermark,
      endOffsetForEpoch: (epoch) => partition.log.endOffsetForEpoch(epoch),
    });
    if (decision.offset < partition.logEndOffset) {
      this.#options.logger.info(
        `broker ${this.#options.brokerId}: truncating ${partition.name} to offset ${decision.offset} (leader ${this.sourceBrokerId}, epoch ${leaderEnd.epoch} ends at ${leaderEnd.endOffset})`,
        {
          partition: partition.name,
          logEndOffset: String(partition.logEndOffset),
        },
      );
    }
    // Even at the log end: an epoch this broker led without appending ends the epoch cache there (Kafka's truncateTo).
    await partition.truncateTo(decision.offset);
    followed.state = decision.complete ? 'fetching' : 'truncating';
  }

  async #fetch(list: FollowedPartition[]): Promise<void> {
    const session = this.#session.build(list);
    const { brokerId, maxWaitMs, maxBytes, partitionMaxBytes, requestTimeoutMs } = this.#options;
    let reply: ReplicaFetchReply;
    try {
      reply = await this.#options.peers.ask(
        this.sourceBrokerId,
        { type: 'ReplicaFetch', replicaId: brokerId, maxWaitMs, maxBytes, partitionMaxBytes, ...session },
        { timeoutMs: maxWaitMs + requestTimeoutMs },
      );
    } catch (error) {
      // The leader may have applied the request without this broker seeing its reply.
      this.#session.reset();
      throw error;
    }
    if (!this.#session.replied(reply)) {
      this.#options.logger.info(`broker ${brokerId}: broker ${this.sourceBrokerId} refused fetch session ${session.sessionId} with error ${reply.errorCode}; opening a new one`);
      return;
    }
    await this.#apply(async () => {
      let missed = false;
      for (const result of reply.partitions) {
        const followed = this.#session.member(partitionKey(result.topic, result.partition));
        if (followed === undefined || !this.#isCurrent(followed) || followed.state !== 'fetching') continue;
        // Appended to or truncated by another path while the fetch was out: the leader's session took this result as told.
        if (followed.partition.logEndOffset !== followed.sent!.fetchOffset) {
          missed = true;
          continue;
        }
        await this.#guarded(followed, () => this.#processPartition(followed, result));
      }
      // A new session tells it everything again.
      if (missed) this.#session.reset();
    });
  }

  /** Kafka's processPartitionData, and its handling of a partition's errors. */
  async #processPartition(followed: FollowedPartition, result: ReplicaFetchPartitionResult): Promise<void> {
    const { partition } = followed;
    switch (result.errorCode) {
      case ErrorCode.NONE:
        if (result.divergingEpoch !== null) {
          await this.#truncateTo(followed, result.divergingEpoch);
          return;
        }
        if (result.records.byteLength > 0) {
          const { records } = result;
          await partition.appendRecordsAsFollower(Buffer.from(records.buffer, records.byteOffset, records.byteLength));
        }
        partition.updateFollowerHighWatermark(result.highWatermark);
        await partition.followLeaderLogStartOffset(result.logStartOffset);
        return;
      case ErrorCode.OFFSET_OUT_OF_RANGE:
        // Kafka's handleOutOfRangeError: behind the leader's log start, start over there.
        if (result.logEndOffset >= 0n && result.logEndOffset < partition.logEndOffset) {
          await partition.truncateTo(result.logEndOffset);
        } else if (result.logStartOffset > partition.logEndOffset) {
          this.#options.logger.info(`broker ${this.#options.brokerId}: ${partition.name} starts over at the leader's log start offset ${result.logStartOffset}`, {
            partition: partition.name,
            logEndOffset: String(partition.logEndOffset),
          });
          await partition.truncateFullyAndStartAt(result.logStartOffset);
        } else {
          this.#partitionFailed(followed, result.errorCode, 'ReplicaFetch');
        }
        return;
      default:
        this.#partitionFailed(followed, result.errorCode, 'ReplicaFetch');
    }
  }

  #isCurrent(followed: FollowedPartition): boolean {
    const { partition } = followed;
    return this.#partitions.get(partition.name) === followed && partition.state.leader === this.sourceBrokerId && partition.leaderEpoch === followed.leaderEpoch;
  }

  /**
   * A partition's error: it waits replica.fetch.backoff.ms (or metadata's
   * next word on it) before its next request. A leader that does not know
   * yet that it leads in this epoch (UNKNOWN_LEADER_EPOCH,
   * NOT_LEADER_OR_FOLLOWER) is behind on metadata by moments, right after a
   * failover: it is asked again sooner, so acks=all producers wait no
   * longer than that.
   */
  #partitionFailed(followed: FollowedPartition, errorCode: number, request: string): void {
    const leaderBehind = errorCode === ErrorCode.UNKNOWN_LEADER_EPOCH || errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const backoffMs = leaderBehind ? Math.min(this.#options.backoffMs, LEADER_BEHIND_RETRY_MS) : this.#options.backoffMs;
    followed.delayedUntilMs = this.#clock() + backoffMs;
    this.#repeated.warn(
      `${request}|${followed.partition.name}|${errorCode}`,
      `broker ${this.#options.brokerId}: ${request} of ${followed.partition.name} from broker ${this.sourceBrokerId} failed with error ${errorCode}`,
      {
        partition: followed.partition.name,
        leaderEpoch: followed.leaderEpoch,
      },
    );
  }

  /** Runs a change to one partition's log; a failure (an append that does not continue the log, a storage error) sends it back to truncation after a backoff. */
  async #guarded(followed: FollowedPartition, change: () => Promise<void>): Promise<void> {
    try {
      await change();
    } catch (error) {
      followed.state = 'truncating';
      followed.delayedUntilMs = this.#clock() + this.#options.backoffMs;
      this.#repeated.error(
        `log|${followed.partition.name}|${errorClass(error)}`,
        `broker ${this.#options.brokerId}: following ${followed.partition.name} from broker ${this.sourceBrokerId} failed: ${errorMessageOf(error)}`,
        {
          partition: followed.partition.name,
          error,
        },
      );
    }
  }
}

function errorClass(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
