// What the failover tests share: a 3-broker node with short timings (a
// broker is fenced 1.5 s after its last heartbeat, a crashed one restarts
// after 50 ms), a partition's leader, replicas and ISR as the brokers'
// Metadata shows them, raw Produce with the acks a test chooses, a
// partition read whole from its leader, and a replica's log read from disk.
import { decodeRecordBatches, encodeRecordBatch, Produce } from '@kstream/protocol';
import { waitFor } from '../src/cluster.test-support.js';
import type { ClusterOptions } from '../src/start-cluster.js';
import { readReplicaOnDisk } from './checker/final-state-reader.test-support.js';
import type { StoredBatch } from './checker/final-state.test-support.js';
import { within } from './checker/raw-cluster.test-support.js';
import type { BrokerConfigs, CompatCluster } from './compat-cluster.test-support.js';
import { errorName, RawConnection } from './raw-connection.test-support.js';
import { EARLIEST_TIMESTAMP, fetchPartition, listOffset, PRODUCE_VERSION, topicMetadata } from './raw-requests.test-support.js';
import type { ProducePartitionResponse } from './raw-requests.test-support.js';

export const FAST_FAILOVER: Omit<Partial<ClusterOptions>, 'dataDir' | 'config' | 'logger'> = {
  sessionTimeoutMs: 1_500,
  heartbeatIntervalMs: 300,
  restartPolicy: { initialDelayMs: 50, maxDelayMs: 500, resetAfterMs: 5_000 },
};

/** A follower leaves the ISR after 2 s behind; acks=all needs two replicas. */
export const REPLICATED: BrokerConfigs = { 'min.insync.replicas': '2', 'replica.lag.time.max.ms': '2000' };

const REQUEST_TIMEOUT_MS = 5_000;

export interface PartitionView {
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

/** Runs `use` on a fresh connection to broker `broker`, closed after. */
export async function withConnection<T>(node: CompatCluster, broker: number, use: (conn: RawConnection) => Promise<T>): Promise<T> {
  const conn = await RawConnection.open(node.port(broker));
  try {
    return await use(conn);
  } finally {
    conn.close();
  }
}

/** `topic`'s partitions as the first of `askBrokers` that answers Metadata says (brokers down are skipped). */
export async function partitionViews(node: CompatCluster, topic: string, askBrokers: readonly number[] = [1, 2, 3]): Promise<PartitionView[]> {
  const failures: string[] = [];
  for (const broker of askBrokers) {
    try {
      const [answer] = await withConnection(node, broker, (conn) => within(topicMetadata(conn, [topic]), REQUEST_TIMEOUT_MS, `Metadata from broker ${broker}`));
      if (answer === undefined || answer.errorCode !== 0) {
        failures.push(`broker ${broker}: ${answer === undefined ? 'no topic' : errorName(answer.errorCode)}`);
        continue;
      }
      return answer.partitions
        .map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes, isr: p.isrNodes }))
        .sort((a, b) => a.partition - b.partition);
    } catch (error) {
      failures.push(`broker ${broker}: ${(error as Error).message}`);
    }
  }
  throw new Error(`Metadata for ${topic}: no broker answered (${failures.join('; ')})`);
}

export async function partitionView(node: CompatCluster, topic: string, partition: number, askBrokers?: readonly number[]): Promise<PartitionView> {
  const view = (await partitionViews(node, topic, askBrokers)).find((p) => p.partition === partition);
  if (view === undefined) throw new Error(`Metadata for ${topic} lists no partition ${partition}`);
  return view;
}

/** Polls Metadata (of `askBrokers`) until `topic`-`partition` passes `check`; fails naming `what` and the last state seen. */
export async function waitForPartition(
  node: CompatCluster,
  topic: string,
  partition: number,
  what: string,
  check: (p: PartitionView) => boolean,
  { askBrokers, timeoutMs = 15_000 }: { askBrokers?: readonly number[]; timeoutMs?: number } = {},
): Promise<PartitionView> {
  let seen: PartitionView | undefined;
  let last = 'no answer yet';
  try {
    await waitFor(
      `${topic}-${partition}: ${what}`,
      async () => {
        try {
          const view = await partitionView(node, topic, partition, askBrokers);
          seen = view;
          last = JSON.stringify(view);
          return check(view);
        } catch (error) {
          last = (error as Error).message;
          return false;
        }
      },
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last seen: ${last}`);
  }
  return seen!;
}

/** One Produce of `values` (one batch) to `topic`-`partition` on broker `broker`, with `acks`; the partition's answer. */
export async function produceTo(
  node: CompatCluster,
  broker: number,
  topic: string,
  partition: number,
  values: readonly string[],
  acks: -1 | 1,
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<ProducePartitionResponse> {
  const records = await encodeRecordBatch({ records: values.map((v) => ({ key: null, value: Buffer.from(v) })) });
  const response = await withConnection(node, broker, (conn) =>
    within(
      conn.request(Produce, PRODUCE_VERSION, { transactionalId: null, acks, timeoutMs, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] }),
      timeoutMs + REQUEST_TIMEOUT_MS,
      `Produce acks=${acks} to ${topic}-${partition} on broker ${broker}`,
    ),
  );
  const answer = response.responses[0]?.partitionResponses[0];
  if (answer === undefined) throw new Error(`Produce to ${topic}-${partition} on broker ${broker}: no answer for the partition`);
  return answer;
}

/** Produces `values` and fails with Kafka's error name unless the broker acknowledged them; their first offset. */
export async function produceAcknowledged(node: CompatCluster, broker: number, topic: string, partition: number, values: readonly string[], acks: -1 | 1): Promise<bigint> {
  const answer = await produceTo(node, broker, topic, partition, values, acks);
  if (answer.errorCode !== 0) {
    throw new Error(`Produce acks=${acks} of ${values.length} record(s) to ${topic}-${partition} on broker ${broker}: ${errorName(answer.errorCode)} ${answer.errorMessage ?? ''}`);
  }
  return answer.baseOffset;
}

export interface ReadRecord {
  readonly offset: bigint;
  readonly value: string;
}

/** `topic`-`partition` from its log start to its high watermark, fetched from broker `leader`. */
export async function readFromLeader(node: CompatCluster, leader: number, topic: string, partition: number): Promise<ReadRecord[]> {
  return withConnection(node, leader, async (conn) => {
    const where = `${topic}-${partition} from broker ${leader}`;
    const earliest = await listOffset(conn, topic, partition, EARLIEST_TIMESTAMP);
    if (earliest.errorCode !== 0) throw new Error(`ListOffsets earliest of ${where}: ${errorName(earliest.errorCode)}`);
    const records: ReadRecord[] = [];
    for (let next = earliest.offset; ; ) {
      const fetched = await fetchPartition(conn, topic, partition, next);
      if (fetched.errorCode !== 0) throw new Error(`Fetch ${where} at ${next}: ${errorName(fetched.errorCode)}`);
      if (next >= fetched.highWatermark) return records;
      const batches = await decodeRecordBatches(fetched.records ?? Buffer.alloc(0));
      if (batches.length === 0) throw new Error(`Fetch ${where} at ${next}: no batch below the high watermark ${fetched.highWatermark}`);
      for (const b of batches) {
        for (const r of b.records) {
          const offset = b.header.baseOffset + BigInt(r.offsetDelta);
          if (offset >= next && offset < fetched.highWatermark) records.push({ offset, value: r.value?.toString() ?? '' });
        }
        next = b.header.baseOffset + BigInt(b.header.lastOffsetDelta) + 1n;
      }
    }
  });
}

/** Broker `broker`'s replica of `topic`-`partition` as it left it on disk (the broker must be stopped): every batch, bytes and records. */
export async function replicaOnDisk(node: CompatCluster, broker: number, topic: string, partition: number): Promise<readonly StoredBatch[]> {
  const replica = await readReplicaOnDisk(node.dataDir, broker, topic, partition, true);
  if (replica === null) throw new Error(`broker ${broker} has no replica of ${topic}-${partition} under ${node.dataDir}`);
  return replica.batches;
}

/** The values a replica's batches hold, in offset order. */
export function valuesOf(batches: readonly StoredBatch[]): string[] {
  return batches.flatMap((b) => b.records.map((r) => r.value));
}
