// Real logs in temp directories and a fake broker around them for the
// replication tests: a ReplicationContext with a hand-moved clock, its
// AlterPartition requests kept for the test to answer, and record batches
// encoded by @kstream/protocol.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { Logger } from '@kstream/actor';
import { logConfig, PartitionLog } from '@kstream/log-storage';
import type { AlterPartitionItem, AlterPartitionResult } from '@kstream/metadata';
import { encodeRecordBatch } from '@kstream/protocol';
import { Partition, type PartitionState, type ReplicationContext } from './partition.js';
import { partitionConfigFrom, type TopicConfigValues } from './partition-config.js';
import type { LeaderPartitions } from './replica-leader-server.js';

const dirs: string[] = [];
const logs: PartitionLog[] = [];

afterEach(async () => {
  for (const log of logs.splice(0)) await log.close().catch(() => {});
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kstream-replication-'));
  dirs.push(dir);
  return dir;
}

/** A logger that keeps every line, `LEVEL message`. */
export function recordingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (msg) => void lines.push(`INFO ${msg}`),
    warn: (msg) => void lines.push(`WARN ${msg}`),
    error: (msg) => void lines.push(`ERROR ${msg}`),
  };
}

export const TOPIC = 'orders';
export const TOPIC_ID = 'orders-id'.padEnd(36, '0');

export interface SentIsrChange {
  readonly item: AlterPartitionItem;
  readonly isStale: () => boolean;
  readonly answer: (result: AlterPartitionResult | undefined) => void;
}

export type TestContext = ReplicationContext & {
  readonly now: { ms: number };
  readonly sent: SentIsrChange[];
  readonly logger: ReturnType<typeof recordingLogger>;
  readonly appends: number[];
  /** The bytes each high watermark move reported to consumers. */
  readonly highWatermarkMoves: number[];
  /** The bytes each high watermark move brought below the last stable offset (what read_committed fetches count). */
  readonly stableMoves: number[];
};

/** A broker's context whose AlterPartition requests wait in `sent` for the test to answer. */
export function testContext(brokerId: number, replicaLagTimeMaxMs = 30_000): TestContext {
  const now = { ms: 1_000_000 };
  const sent: SentIsrChange[] = [];
  const appends: number[] = [];
  const highWatermarkMoves: number[] = [];
  const stableMoves: number[] = [];
  return {
    highWatermarkMoves,
    stableMoves,
    brokerId,
    now,
    sent,
    appends,
    clock: () => now.ms,
    replicaLagTimeMaxMs,
    alterPartition: (item, isStale) => new Promise((answer) => sent.push({ item, isStale, answer })),
    onHighWatermarkMoved: (_p, bytes, stableBytes) => {
      highWatermarkMoves.push(bytes);
      stableMoves.push(stableBytes);
    },
    onLeaderAppend: (_p, bytes) => void appends.push(bytes),
    logger: recordingLogger(),
  };
}

/** The controller's acceptance of a sent change, as the next partition epoch. */
export function accepted(change: SentIsrChange): AlterPartitionResult {
  const { topicId, partition, leaderEpoch, partitionEpoch, newIsr } = change.item;
  return { topicId, partition, errorCode: 0, leader: -1, leaderEpoch, isr: newIsr, partitionEpoch: partitionEpoch + 1 };
}

export function partitionState(spec: Partial<PartitionState> & { replicas: readonly number[] }): PartitionState {
  return { topicId: TOPIC_ID, isr: spec.replicas, leader: spec.replicas[0]!, leaderEpoch: 0, partitionEpoch: 0, addingReplicas: [], removingReplicas: [], ...spec };
}

/** Opens `orders-0` in `dir` (a new temp dir by default), closed after the test. */
export async function openLog(dir = tempDir()): Promise<PartitionLog> {
  const log = await PartitionLog.open({ logDir: dir, topic: TOPIC, partition: 0, config: logConfig() });
  logs.push(log);
  return log;
}

/** A hosted partition of `orders-0` on a fresh log, its state applied as metadata would. */
export async function openPartition(context: ReplicationContext, state: PartitionState, configs: TopicConfigValues = {}, dir?: string): Promise<Partition> {
  const log = await openLog(dir);
  const partition = new Partition(context, log, state, partitionConfigFrom(configs), 0n);
  await partition.applyState(state);
  return partition;
}

/** A batch of records with the given values. */
export function batch(...values: string[]): Promise<Buffer> {
  return encodeRecordBatch({ records: values.map((value, i) => ({ key: null, value: Buffer.from(value), timestamp: 1_700_000_000_000 + i })) });
}

/** Lets settled promises' callbacks run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The leader side's view of a broker hosting one partition, `partition()` (its leadership checked, as the broker's is). */
export function oneLeaderPartition(partition: () => Partition): LeaderPartitions {
  const leader = (epoch: number): Partition => {
    const hosted = partition();
    hosted.checkLeader(epoch);
    return hosted;
  };
  return { leaderPartition: async (_topic, _partition, epoch) => leader(epoch), leaderPartitionNow: (_key, _topic, _partition, epoch) => leader(epoch) };
}
