// The end of an EOS run: waiting until no transaction is open on the output
// (each partition's last stable offset — ListOffsets read_committed — equal
// to its high watermark), then reading the whole output with a fresh
// read_committed kafkajs consumer up to those offsets, as a downstream
// application would see it.
import { setTimeout as sleep } from 'node:timers/promises';
import { ListOffsets } from '@kstream/protocol';
import { errorName } from '../raw-connection.test-support.js';
import { LIST_OFFSETS_VERSION } from '../raw-requests.test-support.js';
import { consumeUpTo } from '../transactions.test-support.js';
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
  return (await consumeUpTo(bootstrap, group, topic, ends, 'read_committed', timeoutMs)).map((r) => {
    const parsed = parseOutputValue(r.value);
    return { partition: r.partition, offset: r.offset, inputId: parsed?.inputId ?? -1, tag: parsed?.tag ?? `unparsable ${JSON.stringify(r.value)}` };
  });
}
