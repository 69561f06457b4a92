// Reads a whole topic back the way a consumer's first fetch would: one raw
// Fetch per partition, sent to that partition's leader, records decoded.
import { decodeRecordBatches } from '@kstream/protocol';
import { expect } from 'vitest';
import type { CompatCluster } from './compat-cluster.test-support.js';
import { RawConnection, errorName } from './raw-connection.test-support.js';
import { EARLIEST_TIMESTAMP, fetchPartition, leaders, listOffset } from './raw-requests.test-support.js';

export interface StoredRecord {
  readonly offset: bigint;
  readonly timestamp: bigint;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string | null>>;
}

/** The leader of every partition of `topic`, asked of broker 1. */
export async function partitionLeaders(node: CompatCluster, topic: string): Promise<Map<number, number>> {
  const seed = await RawConnection.open(node.port(1));
  try {
    return await leaders(seed, topic);
  } finally {
    seed.close();
  }
}

/** A connection to the broker leading `topic`-`partition`. */
export async function connectToLeader(node: CompatCluster, topic: string, partition: number): Promise<RawConnection> {
  const leader = (await partitionLeaders(node, topic)).get(partition);
  if (leader === undefined) throw new Error(`Metadata for ${topic} lists no partition ${partition}`);
  return RawConnection.open(node.port(leader));
}

/** Every record of every partition from its log start offset (up to 4 MiB a partition), by partition. */
export async function readTopic(node: CompatCluster, topic: string): Promise<Map<number, StoredRecord[]>> {
  const byPartition = new Map<number, StoredRecord[]>();
  for (const [partition, leader] of [...(await partitionLeaders(node, topic))].sort(([a], [b]) => a - b)) {
    const conn = await RawConnection.open(node.port(leader));
    try {
      const earliest = await listOffset(conn, topic, partition, EARLIEST_TIMESTAMP);
      expect(errorName(earliest.errorCode), `ListOffsets earliest of ${topic}-${partition} from its leader, broker ${leader}`).toBe('NONE');
      const fetched = await fetchPartition(conn, topic, partition, earliest.offset);
      expect(errorName(fetched.errorCode), `Fetch ${topic}-${partition} from its leader, broker ${leader}`).toBe('NONE');
      const batches = await decodeRecordBatches(fetched.records ?? Buffer.alloc(0));
      byPartition.set(
        partition,
        // A fetch starts at the batch holding the offset asked for; what precedes it in that batch is not in the log any more.
        batches.flatMap((b) =>
          b.records.map((r) => ({
            offset: b.header.baseOffset + BigInt(r.offsetDelta),
            timestamp: b.header.baseTimestamp + BigInt(r.timestampDelta),
            key: r.key?.toString() ?? null,
            value: r.value?.toString() ?? null,
            headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString() ?? null])),
          })),
        ).filter((r) => r.offset >= earliest.offset),
      );
    } finally {
      conn.close();
    }
  }
  return byPartition;
}
