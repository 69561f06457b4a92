// Gathers a fault run's final state: each partition's log read whole from
// its leader over the wire (after healing and settling), and each replica as
// its broker left it on disk after the node stopped cleanly, read through
// @kstream/log-storage with its high watermark from
// `replication-offset-checkpoint`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HIGH_WATERMARK_CHECKPOINT_FILE, LogDirectory, OffsetCheckpointFile, partitionDirName } from '@kstream/log-storage';
import { decodeRecordBatch, decodeRecordBatches, recordBatchesIn } from '@kstream/protocol';
import type { DecodedRecordBatch } from '@kstream/protocol';
import { EARLIEST_TIMESTAMP, fetchPartition, listOffset } from '../raw-requests.test-support.js';
import { errorName } from '../raw-connection.test-support.js';
import type { FinalPartition, LogRecord, ReplicaLog, StoredBatch } from './final-state.test-support.js';
import type { ConnectionPool, LeaderDirectory } from './raw-cluster.test-support.js';
import { within } from './raw-cluster.test-support.js';

/** The broker's high watermark checkpoint (Kafka's name, kept by the replication layer in each broker's log dir). */
const READ_TIMEOUT_MS = 5_000;

function recordsOf(batch: DecodedRecordBatch): LogRecord[] {
  return batch.records.map((r) => ({ offset: batch.header.baseOffset + BigInt(r.offsetDelta), value: r.value?.toString() ?? '' }));
}

/** What the leader serves of one partition, below its high watermark, with the ISR of that moment. */
export interface ServedPartition {
  readonly log: LogRecord[];
  readonly highWatermark: bigint;
  readonly leader: number;
  readonly isr: readonly number[];
  readonly replicas: readonly number[];
}

export async function readServedPartition(pool: ConnectionPool, leaders: LeaderDirectory, partition: number): Promise<ServedPartition> {
  await leaders.refresh();
  const state = leaders.partitions.get(partition);
  if (state === undefined || state.leader < 0) throw new Error(`${leaders.topic}-${partition}: no leader after healing and settling`);
  const where = `${leaders.topic}-${partition} from its leader, broker ${state.leader}`;
  const conn = await pool.get(state.leader);
  const earliest = await within(listOffset(conn, leaders.topic, partition, EARLIEST_TIMESTAMP), READ_TIMEOUT_MS, `ListOffsets ${where}`);
  if (earliest.errorCode !== 0) throw new Error(`ListOffsets earliest of ${where}: ${errorName(earliest.errorCode)}`);
  const log: LogRecord[] = [];
  let highWatermark = -1n;
  for (let next = earliest.offset; ; ) {
    const fetched = await within(fetchPartition(conn, leaders.topic, partition, next), READ_TIMEOUT_MS, `Fetch ${where}`);
    if (fetched.errorCode !== 0) throw new Error(`Fetch ${where} at ${next}: ${errorName(fetched.errorCode)}`);
    if (highWatermark < 0n) highWatermark = fetched.highWatermark;
    if (next >= highWatermark) break;
    const batches = await decodeRecordBatches(fetched.records ?? Buffer.alloc(0));
    if (batches.length === 0) throw new Error(`Fetch ${where} at ${next} returned no batch below the high watermark ${highWatermark}`);
    for (const b of batches) log.push(...recordsOf(b).filter((r) => r.offset >= next && r.offset < highWatermark));
    const last = batches.at(-1)!.header;
    next = last.baseOffset + BigInt(last.lastOffsetDelta) + 1n;
  }
  return { log, highWatermark, leader: state.leader, isr: state.isr, replicas: state.replicas };
}

/** Broker `broker`'s replica of `topic`-`partition`, every batch from its log start to its log end, and its checkpointed high watermark. */
export async function readReplicaOnDisk(dataDir: string, broker: number, topic: string, partition: number, inSync: boolean): Promise<ReplicaLog | null> {
  const logDir = join(dataDir, `broker-${broker}`);
  if (!existsSync(join(logDir, partitionDirName(topic, partition)))) return null;
  const dir = await LogDirectory.open(logDir);
  try {
    const log = await dir.openLog(topic, partition);
    const highWatermarks = await new OffsetCheckpointFile(dir.io, join(logDir, HIGH_WATERMARK_CHECKPOINT_FILE)).read();
    const batches: StoredBatch[] = [];
    for (let next = log.logStartOffset; next < log.logEndOffset; ) {
      const read = await log.read(next, { maxBytes: 4 * 1024 * 1024 });
      if (read.nextOffset <= next) throw new Error(`broker ${broker}'s ${topic}-${partition} on disk: no batch at offset ${next}, below its log end offset ${log.logEndOffset}`);
      for (const slice of recordBatchesIn(read.records)) {
        const bytes = Buffer.from(slice.bytes);
        const lastOffset = slice.header.baseOffset + BigInt(slice.header.lastOffsetDelta);
        batches.push({ baseOffset: slice.header.baseOffset, lastOffset, records: recordsOf(await decodeRecordBatch(bytes)), bytes });
      }
      next = read.nextOffset;
    }
    return { broker, inSync, highWatermark: highWatermarks.get(`${topic}-${partition}`) ?? 0n, batches };
  } finally {
    await dir.close();
  }
}

export async function finalPartition(served: ServedPartition, dataDir: string, topic: string, partition: number): Promise<FinalPartition> {
  const replicas: ReplicaLog[] = [];
  for (const broker of served.replicas) {
    const replica = await readReplicaOnDisk(dataDir, broker, topic, partition, served.isr.includes(broker));
    if (replica !== null) replicas.push(replica);
  }
  return { log: served.log, highWatermark: served.highWatermark, leader: served.leader, replicas };
}
