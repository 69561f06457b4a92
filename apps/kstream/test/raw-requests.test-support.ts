// Single Produce, Fetch and Metadata requests on a RawConnection, at fixed
// versions so a failure names exactly what was sent. Flexible versions are
// used on purpose: kafkajs only ever sends the non-flexible ones.
import { Fetch, ListOffsets, Metadata, Produce, ZERO_UUID } from '@kstream/protocol';
import type { ResponseOf } from '@kstream/protocol';
import type { RawConnection } from './raw-connection.test-support.js';

export const PRODUCE_VERSION = 9;
export const FETCH_VERSION = 12;
export const METADATA_VERSION = 12;
export const LIST_OFFSETS_VERSION = 7;

/** ListOffsets' special timestamp for the log start offset. */
export const EARLIEST_TIMESTAMP = -2n;

export type ProducePartitionResponse = ResponseOf<typeof Produce>['responses'][number]['partitionResponses'][number];
export type FetchPartitionResponse = ResponseOf<typeof Fetch>['responses'][number]['partitions'][number];
export type MetadataTopic = ResponseOf<typeof Metadata>['topics'][number];

/** One Produce (acks=1) carrying `batches[partition]` for each partition given; returns the per-partition answers by partition. */
export async function produce(conn: RawConnection, topic: string, batches: ReadonlyMap<number, Buffer>): Promise<Map<number, ProducePartitionResponse>> {
  const response = await conn.request(Produce, PRODUCE_VERSION, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 10_000,
    topicData: [{ name: topic, partitionData: [...batches].map(([index, records]) => ({ index, records })) }],
  });
  const answers = new Map<number, ProducePartitionResponse>();
  for (const t of response.responses) {
    if (t.name !== topic) throw new Error(`Produce v${PRODUCE_VERSION} for ${topic} was answered for topic ${t.name}`);
    for (const p of t.partitionResponses) answers.set(p.index, p);
  }
  return answers;
}

/** One Fetch (no session, no wait) of one partition from `offset`. */
export async function fetchPartition(conn: RawConnection, topic: string, partition: number, offset: bigint): Promise<FetchPartitionResponse> {
  const response = await conn.request(Fetch, FETCH_VERSION, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 8 * 1024 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        topicId: ZERO_UUID,
        partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 4 * 1024 * 1024 }],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
  const answer = response.responses.find((t) => t.topic === topic)?.partitions.find((p) => p.partitionIndex === partition);
  if (answer === undefined) {
    throw new Error(`Fetch v${FETCH_VERSION} of ${topic}-${partition} got no answer for it (top-level error ${response.errorCode})`);
  }
  return answer;
}

/** One ListOffsets of one partition at `timestamp` (EARLIEST_TIMESTAMP, -1 for the end, or a time). */
export async function listOffset(conn: RawConnection, topic: string, partition: number, timestamp: bigint): Promise<{ errorCode: number; offset: bigint; timestamp: bigint }> {
  const response = await conn.request(ListOffsets, LIST_OFFSETS_VERSION, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] }],
  });
  const answer = response.topics.find((t) => t.name === topic)?.partitions.find((p) => p.partitionIndex === partition);
  if (answer === undefined) throw new Error(`ListOffsets v${LIST_OFFSETS_VERSION} of ${topic}-${partition} got no answer for it`);
  return answer;
}

/** Metadata for the named topics, never creating them. */
export async function topicMetadata(conn: RawConnection, topics: readonly string[]): Promise<MetadataTopic[]> {
  const response = await conn.request(Metadata, METADATA_VERSION, {
    topics: topics.map((name) => ({ topicId: ZERO_UUID, name })),
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  });
  return response.topics;
}

/** Leader broker id of every partition of `topic`, from a Metadata request. */
export async function leaders(conn: RawConnection, topic: string): Promise<Map<number, number>> {
  const [answer] = await topicMetadata(conn, [topic]);
  if (answer === undefined || answer.errorCode !== 0) {
    throw new Error(`Metadata v${METADATA_VERSION} for ${topic}: ${answer === undefined ? 'no topic in the answer' : `error ${answer.errorCode}`}`);
  }
  return new Map(answer.partitions.map((p) => [p.partitionIndex, p.leaderId]));
}
