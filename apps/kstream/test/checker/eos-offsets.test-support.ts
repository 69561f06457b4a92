// What the EOS run asks the brokers directly, with a deadline on each
// request (a paused broker accepts and never answers): which broker
// coordinates a group or a transactional id (FindCoordinator, key type 0 or
// 1), and a group's committed offsets with requireStable — the OffsetFetch a
// read_committed Java consumer sends (KIP-447), answered
// UNSTABLE_OFFSET_COMMIT while a transaction's offsets for the partition are
// pending. kafkajs sends neither the key type 1 lookups the nemesis needs nor
// requireStable, so the workers and the run use these.
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, FindCoordinator, OffsetCommit, OffsetFetch } from '@kstream/protocol';
import { errorName } from '../raw-connection.test-support.js';
import { within, type ConnectionPool } from './raw-cluster.test-support.js';

const FIND_COORDINATOR_VERSION = 3;
const OFFSET_FETCH_VERSION = 7;
const OFFSET_COMMIT_VERSION = 8;

export const COORDINATOR_KEY_GROUP = 0;
export const COORDINATOR_KEY_TRANSACTION = 1;

/** Errors that mean: ask again (the coordinator moved, loads, or a transaction's offsets are pending). */
const RETRIABLE = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.UNSTABLE_OFFSET_COMMIT]);

export class CoordinatorClient {
  #next = 0;

  constructor(
    private readonly pool: ConnectionPool,
    private readonly brokers: readonly number[],
    private readonly timeoutMs: number,
  ) {}

  /** The coordinator of `key` as the next broker that answers FindCoordinator NONE says; undefined when none does. */
  async coordinator(key: string, keyType: number): Promise<number | undefined> {
    for (let tries = 0; tries < this.brokers.length; tries++) {
      const broker = this.brokers[this.#next++ % this.brokers.length]!;
      try {
        const conn = await this.pool.get(broker);
        const answer = await within(conn.request(FindCoordinator, FIND_COORDINATOR_VERSION, { key, keyType }), this.timeoutMs, `FindCoordinator of ${key} from broker ${broker}`);
        if (answer.errorCode === 0) return answer.nodeId;
      } catch {
        this.pool.drop(broker);
      }
    }
    return undefined;
  }

  /**
   * `group`'s committed offsets of `topic`'s `partitions` (-1 for none), read with requireStable:
   * asked again until every partition answers without error or `deadlineMs` (a Date.now() time) passes.
   */
  async stableOffsets(group: string, topic: string, partitions: readonly number[], deadlineMs: number): Promise<Map<number, bigint>> {
    let last = 'no coordinator found';
    for (;;) {
      const coordinator = await this.coordinator(group, COORDINATOR_KEY_GROUP);
      if (coordinator !== undefined) {
        try {
          const conn = await this.pool.get(coordinator);
          const answer = await within(
            conn.request(OffsetFetch, OFFSET_FETCH_VERSION, { groupId: group, topics: [{ name: topic, partitionIndexes: [...partitions] }], requireStable: true }),
            this.timeoutMs,
            `OffsetFetch of ${group} from broker ${coordinator}`,
          );
          const answered = answer.topics.flatMap((t) => t.partitions);
          const failed = answered.find((p) => p.errorCode !== 0);
          if (answer.errorCode === 0 && failed === undefined && answered.length === partitions.length) {
            return new Map(answered.map((p) => [p.partitionIndex, p.committedOffset]));
          }
          const code = answer.errorCode !== 0 ? answer.errorCode : (failed?.errorCode ?? ErrorCode.NONE);
          last = `broker ${coordinator} answered ${errorName(code)}${failed === undefined ? '' : ` for ${topic}-${failed.partitionIndex}`}`;
          if (code !== ErrorCode.NONE && !RETRIABLE.has(code)) throw new Error(`OffsetFetch (requireStable) of ${group}: ${last}`);
        } catch (error) {
          if ((error as Error).message.startsWith('OffsetFetch (requireStable)')) throw error;
          last = (error as Error).message;
          this.pool.drop(coordinator);
        }
      }
      if (Date.now() > deadlineMs) throw new Error(`OffsetFetch (requireStable) of ${group}'s ${topic} offsets: no stable answer in time; last: ${last}`);
      await sleep(100);
    }
  }

  /**
   * Commits `offset` for `topic`'s `partitions` on behalf of `group` from outside any generation (OffsetCommit with
   * generation -1, as an admin tool does), asked again until every partition is answered NONE or `deadlineMs` passes.
   * kafkajs's admin setOffsets joins the group as a consumer and stops at its first fetch, which may come before its
   * seeks were committed: it resolved in a run whose group then had no offsets.
   */
  async commitOffsets(group: string, topic: string, partitions: readonly number[], offset: bigint, deadlineMs: number): Promise<void> {
    let last = 'no coordinator found';
    for (;;) {
      const coordinator = await this.coordinator(group, COORDINATOR_KEY_GROUP);
      if (coordinator !== undefined) {
        try {
          const conn = await this.pool.get(coordinator);
          const answer = await within(
            conn.request(OffsetCommit, OFFSET_COMMIT_VERSION, {
              groupId: group,
              generationIdOrMemberEpoch: -1,
              memberId: '',
              groupInstanceId: null,
              topics: [
                {
                  name: topic,
                  partitions: partitions.map((partitionIndex) => ({
                    partitionIndex,
                    committedOffset: offset,
                    committedLeaderEpoch: -1,
                    commitTimestamp: -1n,
                    committedMetadata: null,
                  })),
                },
              ],
            }),
            this.timeoutMs,
            `OffsetCommit of ${group} to broker ${coordinator}`,
          );
          const failed = answer.topics.flatMap((t) => t.partitions).filter((p) => p.errorCode !== 0);
          if (failed.length === 0) return;
          last = `broker ${coordinator} answered ${failed.map((p) => `${topic}-${p.partitionIndex} ${errorName(p.errorCode)}`).join(', ')}`;
        } catch (error) {
          last = (error as Error).message;
          this.pool.drop(coordinator);
        }
      }
      if (Date.now() > deadlineMs) throw new Error(`OffsetCommit of ${group}'s ${topic} offsets: not accepted in time; last: ${last}`);
      await sleep(100);
    }
  }
}
