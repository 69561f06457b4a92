// kcat (librdkafka, native) on the same node beside the Node clients, when it
// is installed: not a client to beat, the scale — what the node takes and
// gives on this machine when the client costs little. Timed from kcat's start
// to its exit (connections and metadata included, as the others' warm-up is
// not), and checked like the others: the high watermarks after producing,
// every record counted when consuming.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { median } from '../harness.js';
import { runKcat, writeRecordLines } from '../kcat.js';
import type { BenchContext } from '../replication/bench-context.js';

export interface Kcat {
  /** e.g. "kcat 1.7.1 (librdkafka 2.0.2)". */
  readonly label: string;
}

/** kcat if it is on PATH, with its and librdkafka's versions. */
export function findKcat(): Kcat | undefined {
  try {
    const version = execFileSync('kcat', ['-V'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const kcat = /Version (\S+)/.exec(version)?.[1] ?? '?';
    const librdkafka = /librdkafka (\S+)/.exec(version)?.[1] ?? '?';
    return { label: `kcat ${kcat} (librdkafka ${librdkafka})` };
  } catch {
    return undefined;
  }
}

export function kcatProduceArgs(bootstrap: string, topic: string, acks: 1 | -1, input: string): string[] {
  return ['-P', '-b', bootstrap, '-t', topic, '-X', `acks=${acks === -1 ? 'all' : 1}`, '-l', input];
}

/**
 * Value sizes only, one a line: the values are binary and may hold newlines.
 * The prefetch queue is raised as tools/bench/broker/main.ts explains
 * (LARGE_QUEUE): librdkafka 2.0 otherwise idles most of each second once its
 * queue fills, and the figure would show that pause rather than the node.
 */
export function kcatConsumeArgs(bootstrap: string, topic: string): string[] {
  return ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-X', 'queued.min.messages=1000000', '-f', '%S\\n'];
}

/** Median records/s of `rounds` kcat runs producing `records` lines of `valueBytes` into `topic` (which must start empty). */
export async function kcatProduceRate(
  bench: BenchContext,
  topic: string,
  acks: 1 | -1,
  records: number,
  valueBytes: number,
  rounds: number,
): Promise<{ rate: number; rates: number[] }> {
  const input = join(bench.workDir, `kcat-${records}x${valueBytes}.txt`);
  await writeRecordLines(input, records, valueBytes);
  const rates: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const { seconds } = await runKcat(kcatProduceArgs(bench.cluster.bootstrap, topic, acks, input));
    const offsets = await bench.admin.fetchTopicOffsets(topic);
    const stored = offsets.reduce((sum, o) => sum + Number(o.high), 0);
    if (stored !== round * records) throw new Error(`${topic}: kcat produced ${round} x ${records} records, the high watermarks add up to ${stored}`);
    rates.push(records / seconds);
  }
  return { rate: median(rates), rates };
}

/** Median records/s of `rounds` kcat runs reading `topic` from the beginning to its end; each must count `records`. */
export async function kcatConsumeRate(bench: BenchContext, topic: string, records: number, rounds: number): Promise<{ rate: number; rates: number[] }> {
  const rates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const { seconds, lines } = await runKcat(kcatConsumeArgs(bench.cluster.bootstrap, topic));
    if (lines !== records) throw new Error(`${topic}: kcat read ${lines} records of ${records}`);
    rates.push(records / seconds);
  }
  return { rate: median(rates), rates };
}
