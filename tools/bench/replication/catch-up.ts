// Figure 2: follower catch-up. Per round, a new 1-partition RF 3 topic; one of
// its followers is taken down, kcat produces the round's MiB (16 KiB records,
// acks=1) to the leader, the follower comes back, and its partition directory
// is polled on disk until its segment bytes reach the leader's. Catch-up MB/s
// counts from the first byte seen on the follower's disk, so the broker's
// start is not in it (the start call -> caught up and -> back in the ISR
// times, printed per round, have it). Baseline: the leader's log read whole
// with @kstream/log-storage in 1 MiB reads (log-read-rate.ts).
import { join } from 'node:path';
import type { Figure } from '../harness.js';
import { median } from '../harness.js';
import { runKcat, writeRecordLines } from '../kcat.js';
import { createTopic, deleteTopic, replicaDir, type BenchContext } from './bench-context.js';
import { segmentBytes } from './log-bytes.js';
import { logReadRate } from './log-read-rate.js';

const RECORD_BYTES = 16 * 1024;
const REPLICAS = 3;
const POLL_MS = 5;
const CATCH_UP_TIMEOUT_MS = 300_000;

interface Round {
  readonly bytes: number;
  /** Follower bytes per second from its first byte on disk to caught up. */
  readonly rate: number;
  readonly startToCaughtUpMs: number;
  readonly startToIsrMs: number;
  /** Baseline: the leader's log read whole, bytes per second. */
  readonly readRate: number;
}

/** acks=1 answers before the in-sync follower has the records: the high watermark reaches them when it does. */
async function waitForHighWatermark(bench: BenchContext, topic: string, records: number): Promise<void> {
  const deadline = performance.now() + CATCH_UP_TIMEOUT_MS;
  for (;;) {
    const high = Number((await bench.admin.fetchTopicOffsets(topic))[0]!.high);
    if (high === records) return;
    if (high > records || performance.now() > deadline) throw new Error(`${topic}: kcat produced ${records} records, its high watermark is ${high}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function catchUpRound(bench: BenchContext, round: number, input: string, records: number): Promise<Round> {
  const topic = `catch-up-${round}`;
  await createTopic(bench, { topic, partitions: 1, replicationFactor: REPLICAS });
  const { leaderId, replicas } = await bench.client.partition(topic, 0);
  const followerId = replicas.filter((id) => id !== leaderId).at(-1)!;
  const leaderDir = replicaDir(bench, leaderId, topic, 0);
  const followerDir = replicaDir(bench, followerId, topic, 0);

  await bench.cluster.control.stopBroker(followerId);
  await runKcat(['-P', '-b', bench.cluster.bootstrap, '-t', topic, '-p', '0', '-X', 'acks=1', '-l', input]);
  await waitForHighWatermark(bench, topic, records);
  const bytes = await segmentBytes(leaderDir);

  const startAt = performance.now();
  await bench.cluster.control.startBroker(followerId);
  let first: { at: number; bytes: number } | undefined;
  for (;;) {
    const now = performance.now();
    const held = await segmentBytes(followerDir);
    if (held > 0) first ??= { at: now, bytes: held };
    if (held >= bytes) break;
    if (now - startAt > CATCH_UP_TIMEOUT_MS) throw new Error(`${topic}: follower ${followerId} holds ${held} of the leader's ${bytes} bytes after ${CATCH_UP_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const caughtUpAt = performance.now();
  await bench.client.waitFor(topic, 0, `broker ${followerId} back in the ISR`, (v) => v.isr.includes(followerId), CATCH_UP_TIMEOUT_MS);
  const inIsrAt = performance.now();
  // The first poll that sees bytes may see them all: then the copy fell between two polls, timed from the start call.
  const from = first!.bytes < bytes ? first! : { at: startAt, bytes: 0 };
  const rate = (bytes - from.bytes) / ((caughtUpAt - from.at) / 1000);

  const readRate = await logReadRate(leaderDir, topic, 0, join(bench.workDir, `read-${topic}`));
  await deleteTopic(bench, topic);
  const result = { bytes, rate, startToCaughtUpMs: caughtUpAt - startAt, startToIsrMs: inIsrAt - startAt, readRate };
  console.log(
    `  round ${round + 1}: leader ${leaderId}, follower ${followerId}: ${(bytes / 2 ** 20).toFixed(0)} MiB copied at ${(rate / 1e6).toFixed(0)} MB/s; ` +
      `start call -> first byte ${((first!.at - startAt) / 1000).toFixed(2)} s, -> caught up ${(result.startToCaughtUpMs / 1000).toFixed(2)} s, ` +
      `-> in the ISR ${(result.startToIsrMs / 1000).toFixed(2)} s; ` +
      `log read ${(readRate / 1e6).toFixed(0)} MB/s`,
  );
  return result;
}

export async function catchUpFigures(bench: BenchContext, mebibytes: number, rounds: number): Promise<Figure[]> {
  const records = Math.ceil((mebibytes * 2 ** 20) / RECORD_BYTES);
  console.log(
    `\ncatch-up: ${mebibytes} MiB (${records} x 16 KiB, kcat acks=1) to one RF ${REPLICAS} partition while a follower is down ` +
      `(control.stopBroker, then control.startBroker), ${rounds} rounds`,
  );
  const input = join(bench.workDir, `catch-up-${RECORD_BYTES}.txt`);
  await writeRecordLines(input, records, RECORD_BYTES);
  const results: Round[] = [];
  for (let round = 0; round < rounds; round++) results.push(await catchUpRound(bench, round, input, records));
  const baseline = { name: 'log read, 1 MiB reads', value: median(results.map((r) => r.readRate)) / 1e6 };
  return [
    { name: 'follower catch-up MB/s (from its first byte)', value: median(results.map((r) => r.rate)) / 1e6, unit: 'MB/s', baseline },
    { name: 'start call -> caught up', value: median(results.map((r) => r.startToCaughtUpMs)), unit: 'ms' },
    { name: 'start call -> back in the ISR', value: median(results.map((r) => r.startToIsrMs)), unit: 'ms' },
  ];
}
