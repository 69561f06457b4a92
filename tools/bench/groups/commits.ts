// Figure (b): offset commits per second. A commit is an acks=all write to
// the group's __consumer_offsets partition (RF 3), so its peer is the same
// number of Produce requests, acks=all, of one small record each, to a
// 1-partition RF 3 topic, in the same run. Both are pipelined the same way:
// `window` requests in flight on one connection (OffsetCommit v8 simple
// commits from outside any generation to the coordinator; Produce v9 to the
// leader), rounds alternating between them; the medians and their ratio.
import { encodeRecordBatch, OffsetCommit, Produce } from '@kstream/protocol';
import type { Figure } from '../harness.js';
import { median } from '../harness.js';
import { createTopic, type BenchContext } from '../replication/bench-context.js';
import type { KafkaConnection } from '../replication/kafka-connection.js';
import { errorName } from './protocol-member.js';
import { findCoordinator } from './stable-group.js';

const GROUP = 'bench-commits';
const TOPIC = 'bench-commit-peer';
const WINDOW = 32;
const REQUEST_TIMEOUT_MS = 30_000;

/** Runs `count` calls of `send`, `window` at a time; resolves with calls per second. */
async function pipelined(count: number, window: number, send: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: window }, async () => {
      while (next < count) await send(next++);
    }),
  );
  return (count * 1000) / (performance.now() - start);
}

function commit(conn: KafkaConnection): (i: number) => Promise<void> {
  return async (i) => {
    const answer = await conn.request(
      OffsetCommit,
      8,
      {
        groupId: GROUP,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: BigInt(i), committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: '' }] }],
      },
      REQUEST_TIMEOUT_MS,
    );
    const code = answer.topics[0]?.partitions[0]?.errorCode;
    if (code !== 0) throw new Error(`OffsetCommit of ${GROUP} ${TOPIC}-0: ${code === undefined ? 'no answer for the partition' : errorName(code)}`);
  };
}

function produce(conn: KafkaConnection, records: Buffer): (i: number) => Promise<void> {
  return async () => {
    const answer = await conn.request(
      Produce,
      9,
      { transactionalId: null, acks: -1, timeoutMs: REQUEST_TIMEOUT_MS, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }] },
      REQUEST_TIMEOUT_MS,
    );
    const code = answer.responses[0]?.partitionResponses[0]?.errorCode;
    if (code !== 0) throw new Error(`Produce to ${TOPIC}-0: ${code === undefined ? 'no answer for the partition' : errorName(code)}`);
  };
}

export async function commitFigures(bench: BenchContext, count: number, rounds: number): Promise<Figure[]> {
  console.log(
    `\ncommits: ${count} OffsetCommit v8 (one partition each) vs ${count} Produce v9 acks=all (one 16-byte record each), ${WINDOW} in flight on one connection, ${rounds} rounds alternating`,
  );
  await createTopic(bench, { topic: TOPIC, partitions: 1, replicationFactor: 3 });
  const coordinator = await findCoordinator(bench.client, bench.cluster.brokers[0]!.id, GROUP);
  const { leaderId } = await bench.client.partition(TOPIC, 0);
  const commitConn = await bench.client.connection(coordinator.nodeId);
  const produceConn = await bench.client.connection(leaderId);
  const records = await encodeRecordBatch({ records: [{ key: null, value: Buffer.from('0123456789abcdef') }] });
  await pipelined(Math.min(count, 500), WINDOW, commit(commitConn));
  await pipelined(Math.min(count, 500), WINDOW, produce(produceConn, records));
  const commits: number[] = [];
  const produces: number[] = [];
  for (let round = 0; round < rounds; round++) {
    commits.push(await pipelined(count, WINDOW, commit(commitConn)));
    produces.push(await pipelined(count, WINDOW, produce(produceConn, records)));
    console.log(
      `  round ${round + 1}: ${commits.at(-1)!.toFixed(0)} commits/s, ${produces.at(-1)!.toFixed(0)} produces/s (coordinator broker ${coordinator.nodeId}, ${TOPIC}-0 led by broker ${leaderId})`,
    );
  }
  return [{ name: 'offset commits, acks=all RF 3', value: median(commits), unit: 'req/s', baseline: { name: 'Produce acks=all RF 3, 1 record', value: median(produces) } }];
}
