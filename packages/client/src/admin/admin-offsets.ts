// listOffsets and deleteRecords: partition leaders answer both, so each
// attempt sends one request per leader for its partitions.
import { DeleteRecords, ListOffsets } from '@kstream/protocol';
import type { RequestOf } from '@kstream/protocol';
import type { TopicPartition } from '../consumer/assignors/assignor.js';
import type { IsolationLevel } from '../consumer/consumer-options.js';
import type { BrokerConnection } from '../connection/index.js';
import { KafkaUnsupportedVersionError, protocolError } from '../errors/index.js';
import { runBatch } from './admin-batch.js';
import type { ItemOutcome } from './admin-batch.js';
import { remainingMs, requestTimeout, startCall } from './admin-call.js';
import type { AdminCall, AdminContext } from './admin-call.js';
import { leaderRetry, partitionName, sendPerLeader } from './admin-leaders.js';
import type { AdminCallOptions } from './admin-options.js';

/**
 * Which offset of a partition: its log start ('earliest'), the next offset a
 * consumer would read at its end ('latest': the high watermark, or the last
 * stable offset under read_committed), the record with the greatest
 * timestamp ('maxTimestamp', ListOffsets v7+), or the first record whose
 * timestamp is at or after a time in ms.
 */
export type OffsetSpec = 'earliest' | 'latest' | 'maxTimestamp' | { readonly timestamp: number };

export interface ListOffsetsQuery extends TopicPartition {
  readonly spec: OffsetSpec;
}

export interface ListOffsetsOptions extends AdminCallOptions {
  /** Default 'read_uncommitted' (Kafka's): 'latest' is the high watermark. */
  isolationLevel?: IsolationLevel;
}

export interface ListedOffset extends TopicPartition {
  /** -1n when a timestamp query finds no record at or after it. */
  readonly offset: bigint;
  /** The found record's timestamp for timestamp and maxTimestamp queries; -1 otherwise. */
  readonly timestamp: number;
  /** The leader epoch of the offset found; -1 when the broker does not say (before v4). */
  readonly leaderEpoch: number;
}

export interface RecordsToDelete extends TopicPartition {
  /** Delete every record below this offset; 'highWatermark' deletes all a consumer could read. */
  readonly before: bigint | 'highWatermark';
}

export interface DeletedRecords extends TopicPartition {
  /** The partition's new log start offset. */
  readonly lowWatermark: bigint;
}

/** Kafka's ListOffsets timestamps for the specs that are not times. */
const SPEC_TIMESTAMPS = { earliest: -2n, latest: -1n, maxTimestamp: -3n } as const;
const MAX_TIMESTAMP_VERSION = 7;

export function specTimestamp(spec: OffsetSpec): bigint {
  return typeof spec === 'string' ? SPEC_TIMESTAMPS[spec] : BigInt(spec.timestamp);
}

/** The offset each query asks for; AdminBatchError names each partition that could not answer. */
export function listOffsets(context: AdminContext, queries: readonly ListOffsetsQuery[], options: ListOffsetsOptions = {}): Promise<ListedOffset[]> {
  const call = startCall(context, 'ListOffsets', options);
  const isolationLevel = options.isolationLevel === 'read_committed' ? 1 : 0;
  return runBatch<ListOffsetsQuery, ListedOffset>(call, {
    items: queries,
    itemName: partitionName,
    retryItem: leaderRetry(context),
    attempt: (pending) =>
      sendPerLeader(context, call.api, pending, async (leader, items) => {
        if (items.some((q) => q.spec === 'maxTimestamp') && !leader.supports(ListOffsets, MAX_TIMESTAMP_VERSION)) {
          throw new KafkaUnsupportedVersionError(`${leader.label} cannot find the max timestamp offset: ListOffsets v${MAX_TIMESTAMP_VERSION}+ needed`);
        }
        // A request names each partition once: several specs of one partition take one request each.
        const outcomes = new Map<ListOffsetsQuery, ItemOutcome<ListedOffset> | undefined>();
        await Promise.all(
          distinctPartitionRounds(items).map(async (round) => {
            const answers = await listRound(call, leader, round, isolationLevel);
            for (const [at, query] of round.entries()) outcomes.set(query, answers[at]);
          }),
        );
        return items.map((q) => outcomes.get(q));
      }),
  });
}

async function listRound(call: AdminCall, leader: BrokerConnection, queries: readonly ListOffsetsQuery[], isolationLevel: number) {
  const body: RequestOf<typeof ListOffsets> = {
    replicaId: -1,
    isolationLevel,
    topics: byTopic(queries).map(([name, partitions]) => ({
      name,
      partitions: partitions.map((q) => ({
        partitionIndex: q.partition,
        currentLeaderEpoch: knownLeaderEpoch(call.context, q),
        timestamp: specTimestamp(q.spec),
        maxNumOffsets: 1,
      })),
    })),
  };
  const response = await leader.request(ListOffsets, body);
  const version = leader.version(ListOffsets);
  return queries.map((q): ItemOutcome<ListedOffset> | undefined => {
    const answer = partitionAnswer(response.topics, q);
    if (answer === undefined) return undefined;
    if (answer.errorCode !== 0) return { error: partitionError(call, leader, q, answer.errorCode) };
    const offset = version === 0 ? (answer.oldStyleOffsets[0] ?? -1n) : answer.offset;
    return { value: { topic: q.topic, partition: q.partition, offset, timestamp: Number(answer.timestamp), leaderEpoch: answer.leaderEpoch } };
  });
}

/** The items split so that no partition appears twice in one round; one round when none repeats. */
function distinctPartitionRounds<I extends TopicPartition>(items: readonly I[]): I[][] {
  const rounds: { items: I[]; names: Set<string> }[] = [];
  for (const item of items) {
    const name = partitionName(item);
    let round = rounds.find((r) => !r.names.has(name));
    if (round === undefined) {
      round = { items: [], names: new Set() };
      rounds.push(round);
    }
    round.items.push(item);
    round.names.add(name);
  }
  return rounds.map((r) => r.items);
}

/** Moves each partition's log start offset up; resolves with the new low watermarks. */
export function deleteRecords(context: AdminContext, deletions: readonly RecordsToDelete[], options: AdminCallOptions = {}): Promise<DeletedRecords[]> {
  const call = startCall(context, 'DeleteRecords', options);
  return runBatch<RecordsToDelete, DeletedRecords>(call, {
    items: deletions,
    itemName: partitionName,
    retryItem: leaderRetry(context),
    attempt: (pending) =>
      sendPerLeader(context, call.api, pending, async (leader, items) => {
        const timeoutMs = remainingMs(call);
        const body: RequestOf<typeof DeleteRecords> = {
          topics: byTopic(items).map(([name, partitions]) => ({
            name,
            partitions: partitions.map((d) => ({ partitionIndex: d.partition, offset: d.before === 'highWatermark' ? -1n : d.before })),
          })),
          timeoutMs,
        };
        const response = await leader.request(DeleteRecords, body, requestTimeout(call, timeoutMs));
        return items.map((d): ItemOutcome<DeletedRecords> | undefined => {
          const answer = partitionAnswer(response.topics, d);
          if (answer === undefined) return undefined;
          if (answer.errorCode !== 0) return { error: partitionError(call, leader, d, answer.errorCode) };
          return { value: { topic: d.topic, partition: d.partition, lowWatermark: answer.lowWatermark } };
        });
      }),
  });
}

/** Items grouped by topic, in first-seen order, as the requests nest them. */
export function byTopic<I extends TopicPartition>(items: readonly I[]): [string, I[]][] {
  const topics = new Map<string, I[]>();
  for (const item of items) {
    const partitions = topics.get(item.topic);
    if (partitions === undefined) topics.set(item.topic, [item]);
    else partitions.push(item);
  }
  return [...topics];
}

type TopicAnswers<P> = readonly { name: string; partitions: readonly P[] }[];

function partitionAnswer<P extends { partitionIndex: number }>(topics: TopicAnswers<P>, tp: TopicPartition): P | undefined {
  return topics.find((t) => t.name === tp.topic)?.partitions.find((p) => p.partitionIndex === tp.partition);
}

/** The leader epoch the metadata knows, so a leader that moved on answers FENCED_LEADER_EPOCH instead of stale data. */
function knownLeaderEpoch(context: AdminContext, tp: TopicPartition): number {
  return context.cluster.metadata.topics.get(tp.topic)?.partitions[tp.partition]?.leaderEpoch ?? -1;
}

function partitionError(call: AdminCall, broker: BrokerConnection, tp: TopicPartition, code: number) {
  return protocolError(code, { api: call.api, broker: broker.label, topic: tp.topic, partition: tp.partition });
}
