// What the transaction tests share: a topic read whole by a fresh kafkajs
// consumer under read_committed or read_uncommitted (up to given end
// offsets, past control and aborted records, which kafkajs moves over
// without handing them out), each partition's end once no transaction is
// open on it, and the kafkajs
// error type a failed transactional call carries.
import { setTimeout as sleep } from 'node:timers/promises';
import { ListOffsets } from '@kstream/protocol';
import { ConnectionPool, LeaderDirectory, within } from './checker/raw-cluster.test-support.js';
import { kafkaClient } from './kafkajs-client.test-support.js';
import { errorName } from './raw-connection.test-support.js';
import { LIST_OFFSETS_VERSION } from './raw-requests.test-support.js';

export interface ConsumedRecord {
  readonly partition: number;
  readonly offset: bigint;
  readonly key: string | null;
  readonly value: string;
}

export type Isolation = 'read_committed' | 'read_uncommitted';

/**
 * Every record of `topic` below `ends` (partition → end offset) as a fresh kafkajs consumer of group `group` delivers
 * it under `isolation`, each offset once, in partition and offset order; fails after `timeoutMs` naming how far
 * each partition got.
 */
export async function consumeUpTo(
  bootstrap: string,
  group: string,
  topic: string,
  ends: ReadonlyMap<number, bigint>,
  isolation: Isolation,
  timeoutMs = 20_000,
): Promise<ConsumedRecord[]> {
  const records = new Map<string, ConsumedRecord>();
  const position = new Map<number, bigint>();
  const done = (): boolean => [...ends].every(([p, end]) => end === 0n || (position.get(p) ?? 0n) >= end);
  if (done()) return [];
  const consumer = kafkaClient(bootstrap, group).consumer({
    groupId: group,
    readUncommitted: isolation === 'read_uncommitted',
    maxWaitTimeInMs: 200,
    allowAutoTopicCreation: false,
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const next = BigInt(payload.lastOffset) + 1n;
    if (next > (position.get(payload.partition) ?? 0n)) position.set(payload.partition, next);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const offset = BigInt(m.offset);
          if (offset >= (ends.get(batch.partition) ?? 0n)) continue;
          records.set(`${batch.partition}:${offset}`, { partition: batch.partition, offset, key: m.key?.toString() ?? null, value: m.value?.toString() ?? '' });
        }
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) {
        const where = [...ends].map(([p, end]) => `p${p} ${position.get(p) ?? 0n}/${end}`).join(', ');
        throw new Error(`a ${isolation} consumer of ${topic} had not reached its end offsets ${timeoutMs} ms after it started: ${where}`);
      }
      await sleep(50);
    }
  } finally {
    await consumer.disconnect();
  }
  return [...records.values()].sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset));
}

/**
 * Each partition's end once no transaction is open on it: its last stable offset equal to its high watermark. A
 * commit's markers are written after EndTxn is answered (Kafka's too), so right after commit() the last stable offset
 * (what kafkajs's admin fetchTopicOffsets reads, under read_committed) may still stand below the committed records.
 */
export async function settledEnds(port: (broker: number) => number, topic: string, partitions: number, timeoutMs = 15_000): Promise<Map<number, bigint>> {
  const pool = new ConnectionPool(port);
  try {
    return await untilNoOpenTransaction(pool, new LeaderDirectory(pool, [1, 2, 3], topic), partitions, timeoutMs);
  } finally {
    pool.close();
  }
}

/** The values consumed, in partition and offset order. */
export function valuesOf(records: readonly ConsumedRecord[]): string[] {
  return records.map((r) => r.value);
}

/** A kafkajs call's error type (kafkajs's name for the Kafka error code), or its class name when it has none; 'none' when it resolved. */
export async function errorTypeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'none';
  } catch (error) {
    const e = error as { type?: string; name?: string; cause?: { type?: string } };
    return e.type ?? e.cause?.type ?? e.name ?? 'Error';
  }
}

const LATEST_TIMESTAMP = -1n;
const READ_UNCOMMITTED = 0;
const READ_COMMITTED = 1;

/** The end offset of `partition` of the directory's topic from its leader: the high watermark, or under read_committed the last stable offset. */
export async function endOffset(pool: ConnectionPool, leaders: LeaderDirectory, partition: number, isolationLevel: 0 | 1, timeoutMs: number): Promise<bigint> {
  await leaders.refresh();
  const leader = leaders.leader(partition);
  if (leader === undefined) throw new Error(`${leaders.topic}-${partition}: no leader`);
  const conn = await pool.get(leader);
  const response = await within(
    conn.request(ListOffsets, LIST_OFFSETS_VERSION, {
      replicaId: -1,
      isolationLevel,
      topics: [{ name: leaders.topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: LATEST_TIMESTAMP, maxNumOffsets: 1 }] }],
    }),
    timeoutMs,
    `ListOffsets of ${leaders.topic}-${partition} from broker ${leader}`,
  );
  const answer = response.topics[0]?.partitions[0];
  if (answer === undefined || answer.errorCode !== 0) {
    throw new Error(
      `ListOffsets (isolation ${isolationLevel}) of ${leaders.topic}-${partition} from broker ${leader}: ${answer === undefined ? 'no answer' : errorName(answer.errorCode)}`,
    );
  }
  return answer.offset;
}

/**
 * Waits until every partition's last stable offset equals its high watermark (no transaction open on it) and returns
 * them; after `timeoutMs` fails naming the partitions still unstable and both offsets.
 */
export async function untilNoOpenTransaction(pool: ConnectionPool, leaders: LeaderDirectory, partitions: number, timeoutMs: number): Promise<Map<number, bigint>> {
  const deadline = Date.now() + timeoutMs;
  let unstable = 'not asked yet';
  for (;;) {
    try {
      const ends = new Map<number, bigint>();
      const behind: string[] = [];
      for (let p = 0; p < partitions; p++) {
        const highWatermark = await endOffset(pool, leaders, p, READ_UNCOMMITTED, 2_000);
        const stable = await endOffset(pool, leaders, p, READ_COMMITTED, 2_000);
        ends.set(p, stable);
        if (stable !== highWatermark) behind.push(`${leaders.topic}-${p} last stable offset ${stable}, high watermark ${highWatermark}`);
      }
      if (behind.length === 0) return ends;
      unstable = behind.join('; ');
    } catch (error) {
      unstable = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`a transaction still open on the output ${timeoutMs} ms after the workers stopped: ${unstable}`);
    await sleep(250);
  }
}
