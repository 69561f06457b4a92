// Finds the earliest or latest offset of partitions with ListOffsets, one
// request per leader, for auto.offset.reset and seek('earliest'|'latest').
// Under read_committed "latest" is the last stable offset, as Kafka's
// consumer has it (the isolation level is sent).
import { ListOffsets, type RequestOf } from '@kstream/protocol';
import type { ClusterClient } from '../cluster/index.js';
import { KafkaClientError, protocolError } from '../errors/index.js';
import { partitionKey, type TopicPartition } from './assignors/assignor.js';
import { clientErrorOf } from './client-error-of.js';

/** Kafka's ListOffsets timestamps for the log start and the log end (or LSO). */
export const EARLIEST_TIMESTAMP = -2n;
export const LATEST_TIMESTAMP = -1n;

export interface OffsetQuery extends TopicPartition {
  timestamp: bigint;
}

export interface OffsetLookup {
  found: Array<TopicPartition & { offset: bigint; leaderEpoch: number }>;
  /** Per failed partition; a retriable one has had its topic's metadata invalidated. */
  failed: Array<TopicPartition & { error: KafkaClientError }>;
}

export async function lookUpOffsets(cluster: ClusterClient, queries: readonly OffsetQuery[], readCommitted: boolean): Promise<OffsetLookup> {
  const result: OffsetLookup = { found: [], failed: [] };
  const byLeader = new Map<number, OffsetQuery[]>();
  await Promise.all(
    queries.map(async (query) => {
      try {
        const leader = await cluster.leaderFor(query.topic, query.partition);
        const list = byLeader.get(leader) ?? [];
        list.push(query);
        byLeader.set(leader, list);
      } catch (error) {
        result.failed.push({ topic: query.topic, partition: query.partition, error: clientErrorOf(error) });
      }
    }),
  );
  await Promise.all([...byLeader].map(([leader, leaderQueries]) => askLeader(cluster, leader, leaderQueries, readCommitted, result)));
  return result;
}

async function askLeader(cluster: ClusterClient, leader: number, queries: readonly OffsetQuery[], readCommitted: boolean, result: OffsetLookup): Promise<void> {
  const topics = new Map<string, OffsetQuery[]>();
  for (const query of queries) {
    const list = topics.get(query.topic);
    if (list === undefined) topics.set(query.topic, [query]);
    else list.push(query);
  }
  const body: RequestOf<typeof ListOffsets> = {
    replicaId: -1,
    isolationLevel: readCommitted ? 1 : 0,
    topics: [...topics].map(([name, partitions]) => ({
      name,
      partitions: partitions.map((query) => ({
        partitionIndex: query.partition,
        currentLeaderEpoch: cluster.metadata.topics.get(name)?.partitions[query.partition]?.leaderEpoch ?? -1,
        timestamp: query.timestamp,
        maxNumOffsets: 1,
      })),
    })),
  };
  let broker = `broker ${leader}`;
  try {
    const connection = await cluster.broker(leader);
    broker = connection.label;
    const response = await connection.request(ListOffsets, body);
    const answered = new Set<string>();
    for (const topic of response.topics) {
      for (const partition of topic.partitions) {
        const where = { topic: topic.name, partition: partition.partitionIndex };
        answered.add(partitionKey(where));
        if (partition.errorCode === 0) {
          result.found.push({ ...where, offset: partition.offset, leaderEpoch: partition.leaderEpoch });
          continue;
        }
        const error = protocolError(partition.errorCode, { api: 'ListOffsets', broker, ...where });
        if (error.retriable) cluster.invalidate(topic.name);
        result.failed.push({ ...where, error });
      }
    }
    for (const query of queries) {
      if (answered.has(partitionKey(query))) continue;
      const error = new KafkaClientError(`${broker} did not answer ListOffsets for ${partitionKey(query)}`, { retriable: true });
      result.failed.push({ topic: query.topic, partition: query.partition, error });
    }
  } catch (error) {
    const failure = clientErrorOf(error);
    if (failure.retriable) for (const topic of topics.keys()) cluster.invalidate(topic);
    for (const query of queries) result.failed.push({ topic: query.topic, partition: query.partition, error: failure });
  }
}
