// The end of an EOS run: waiting until no transaction is open on the output
// (each partition's last stable offset — ListOffsets read_committed — equal
// to its high watermark), then reading the whole output with a fresh
// read_committed kafkajs consumer up to those offsets, as a downstream
// application would see it.
import { setTimeout as sleep } from 'node:timers/promises';
import { ListOffsets } from '@kstream/protocol';
import { kafkaClient } from '../kafkajs-client.test-support.js';
import { errorName } from '../raw-connection.test-support.js';
import { LIST_OFFSETS_VERSION } from '../raw-requests.test-support.js';
import { parseOutputValue, type OutputRecord } from './eos-history.test-support.js';
import { within, type ConnectionPool, type LeaderDirectory } from './raw-cluster.test-support.js';

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
    throw new Error(`ListOffsets (isolation ${isolationLevel}) of ${leaders.topic}-${partition} from broker ${leader}: ${answer === undefined ? 'no answer' : errorName(answer.errorCode)}`);
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

/** Every record of `topic` below `ends` as a fresh read_committed kafkajs consumer (group `group`, nothing committed) delivers them. */
export async function readCommitted(bootstrap: string, group: string, topic: string, ends: ReadonlyMap<number, bigint>, timeoutMs: number): Promise<OutputRecord[]> {
  const records: OutputRecord[] = [];
  const position = new Map<number, bigint>();
  const done = (): boolean => [...ends].every(([p, end]) => end === 0n || (position.get(p) ?? 0n) >= end);
  if (done()) return records;
  const consumer = kafkaClient(bootstrap, `${group}-reader`).consumer({ groupId: group, readUncommitted: false, maxWaitTimeInMs: 200, allowAutoTopicCreation: false });
  // After each batch, control records and aborted ones included: kafkajs moves past them without handing them over.
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
          const parsed = parseOutputValue(m.value?.toString() ?? '');
          records.push({ partition: batch.partition, offset, inputId: parsed?.inputId ?? -1, tag: parsed?.tag ?? `unparsable ${JSON.stringify(m.value?.toString())}` });
        }
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) {
        const where = [...ends].map(([p, end]) => `p${p} ${position.get(p) ?? 0n}/${end}`).join(', ');
        throw new Error(`the read_committed consumer had not reached the output's last stable offsets ${timeoutMs} ms after it started: ${where}`);
      }
      await sleep(100);
    }
  } finally {
    await consumer.disconnect();
  }
  // A partition re-fetched after a rebalance delivers its records again: keep each offset once.
  const unique = new Map(records.map((r) => [`${r.partition}:${r.offset}`, r]));
  return [...unique.values()].sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset));
}
