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

/** Every record of every partition from its log start offset to its high watermark, by partition. */
export async function readTopic(node: CompatCluster, topic: string): Promise<Map<number, StoredRecord[]>> {
  const byPartition = new Map<number, StoredRecord[]>();
  for (const [partition, leader] of [...(await partitionLeaders(node, topic))].sort(([a], [b]) => a - b)) {
    const conn = await RawConnection.open(node.port(leader));
    try {
      const earliest = await listOffset(conn, topic, partition, EARLIEST_TIMESTAMP);
      expect(errorName(earliest.errorCode), `ListOffsets earliest of ${topic}-${partition} from its leader, broker ${leader}`).toBe('NONE');
      const records: StoredRecord[] = [];
      // A fetch answers from one segment at most, as Kafka's does: keep fetching up to the high watermark.
      for (let next = earliest.offset; ; ) {
        const fetched = await fetchPartition(conn, topic, partition, next);
        expect(errorName(fetched.errorCode), `Fetch ${topic}-${partition} at ${next} from its leader, broker ${leader}`).toBe('NONE');
        if (next >= fetched.highWatermark) break;
        const batches = await decodeRecordBatches(fetched.records ?? Buffer.alloc(0));
        if (batches.length === 0) throw new Error(`Fetch ${topic}-${partition} at ${next} returned no batch below the high watermark ${fetched.highWatermark}`);
        for (const b of batches) {
          for (const r of b.records) {
            const offset = b.header.baseOffset + BigInt(r.offsetDelta);
            // A fetch starts at the batch holding the offset asked for; what precedes it in that batch is not wanted.
            if (offset < next) continue;
            records.push({
              offset,
              timestamp: b.header.baseTimestamp + BigInt(r.timestampDelta),
              key: r.key?.toString() ?? null,
              value: r.value?.toString() ?? null,
              headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString() ?? null])),
            });
          }
        }
        const last = batches.at(-1)!.header;
        next = last.baseOffset + BigInt(last.lastOffsetDelta) + 1n;
      }
      byPartition.set(partition, records);
    } finally {
      conn.close();
    }
  }
  return byPartition;
}
