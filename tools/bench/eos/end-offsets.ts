// A topic's end offsets as its partition leaders answer ListOffsets (latest):
// the high watermark (read_uncommitted) and the last stable offset
// (read_committed), which stays below the high watermark while a
// transaction is open or its marker is not yet replicated.
import { ErrorCode, ListOffsets } from '@kstream/protocol';
import type { BenchContext } from '../replication/bench-context.js';

const LIST_OFFSETS_VERSION = 7;
const TIMEOUT_MS = 5_000;
const LATEST = -1n;

export interface EndOffsets {
  readonly partition: number;
  readonly highWatermark: bigint;
  readonly lastStableOffset: bigint;
}

async function latest(bench: BenchContext, topic: string, partition: number, isolationLevel: 0 | 1): Promise<bigint> {
  const { leaderId } = await bench.client.partition(topic, partition);
  const connection = await bench.client.connection(leaderId);
  const response = await connection.request(
    ListOffsets,
    LIST_OFFSETS_VERSION,
    { replicaId: -1, isolationLevel, topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: LATEST, maxNumOffsets: 1 }] }] },
    TIMEOUT_MS,
  );
  const answer = response.topics[0]?.partitions[0];
  if (answer === undefined || answer.errorCode !== ErrorCode.NONE) {
    throw new Error(`ListOffsets ${topic}-${partition} (isolation ${isolationLevel}) to broker ${leaderId}: error ${answer?.errorCode ?? 'no partition in the answer'}`);
  }
  return answer.offset;
}

export async function endOffsets(bench: BenchContext, topic: string, partitions: number): Promise<EndOffsets[]> {
  return Promise.all(
    Array.from({ length: partitions }, async (_, partition) => ({
      partition,
      highWatermark: await latest(bench, topic, partition, 0),
      lastStableOffset: await latest(bench, topic, partition, 1),
    })),
  );
}

/** The sum of the partitions' high watermarks. */
export const storedEntries = (offsets: readonly EndOffsets[]) => Number(offsets.reduce((sum, o) => sum + o.highWatermark, 0n));
