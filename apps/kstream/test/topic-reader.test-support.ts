// Reads a whole topic back the way a consumer's first fetch would: one raw
// Fetch per partition, sent to that partition's leader, records decoded.
import { expect } from 'vitest';
import type { CompatCluster } from './compat-cluster.test-support.js';
import { decodeRecordBatches } from './kafka-wire.test-support.js';
import { RawConnection, errorName } from './raw-connection.test-support.js';
import { fetchPartition, leaders } from './raw-requests.test-support.js';

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

/** Every record of every partition from offset 0 (up to 4 MiB a partition), by partition. */
export async function readTopic(node: CompatCluster, topic: string): Promise<Map<number, StoredRecord[]>> {
  const byPartition = new Map<number, StoredRecord[]>();
  for (const [partition, leader] of [...(await partitionLeaders(node, topic))].sort(([a], [b]) => a - b)) {
    const conn = await RawConnection.open(node.port(leader));
    try {
      const fetched = await fetchPartition(conn, topic, partition, 0n);
      expect(errorName(fetched.errorCode), `Fetch ${topic}-${partition} from its leader, broker ${leader}`).toBe('NONE');
      const batches = await decodeRecordBatches(fetched.records ?? Buffer.alloc(0));
      byPartition.set(
        partition,
        batches.flatMap((b) =>
          b.records.map((r) => ({
            offset: b.header.baseOffset + BigInt(r.offsetDelta),
            timestamp: b.header.baseTimestamp + BigInt(r.timestampDelta),
            key: r.key?.toString() ?? null,
            value: r.value?.toString() ?? null,
            headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString() ?? null])),
          })),
        ),
      );
    } finally {
      conn.close();
    }
  }
  return byPartition;
}
