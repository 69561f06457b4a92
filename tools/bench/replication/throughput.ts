// Figure 1: kcat producing into 6 partitions, RF 3 acks=all beside RF 1
// acks=1 on the same cluster in the same rounds (the order alternating), for
// 100 B and 16 KiB records, with the page-cache flush policy and with the
// durable one (flush.messages=1). A new topic per measurement, deleted after.
import { join } from 'node:path';
import type { Figure } from '../harness.js';
import { median } from '../harness.js';
import { runKcat, writeRecordLines } from '../kcat.js';
import { createTopic, deleteTopic, type BenchContext } from './bench-context.js';

const PARTITIONS = 6;
/** Kafka's published RF 3 acks=all / RF 1 acks=1 ratio is 51%; the target is half. */
export const TARGET_RATIO = 0.5;

export interface ThroughputSize {
  readonly recordBytes: number;
  readonly records: number;
}

interface Setup {
  readonly name: string;
  readonly key: string;
  readonly replicationFactor: number;
  readonly acks: string;
}

const BASELINE: Setup = { name: 'RF 1 acks=1', key: 'rf1', replicationFactor: 1, acks: '1' };
const REPLICATED: Setup = { name: 'RF 3 acks=all', key: 'rf3', replicationFactor: 3, acks: 'all' };

interface Policy {
  readonly name: string;
  readonly key: string;
  readonly configs: Readonly<Record<string, string>>;
}

const POLICIES: readonly Policy[] = [
  { name: 'page cache', key: 'pc', configs: {} },
  { name: 'durable (flush.messages=1)', key: 'durable', configs: { 'flush.messages': '1' } },
];

export function kcatProduceArgs(bootstrap: string, topic: string, acks: string, input: string): string[] {
  return ['-P', '-b', bootstrap, '-t', topic, '-X', `acks=${acks}`, '-l', input];
}

/** Seconds kcat took to produce the file into a new topic; checks every record is stored below the high watermark. */
async function produceOnce(bench: BenchContext, topic: string, setup: Setup, policy: Policy, input: string, records: number): Promise<number> {
  await createTopic(bench, { topic, partitions: PARTITIONS, replicationFactor: setup.replicationFactor, configs: policy.configs });
  const { seconds } = await runKcat(kcatProduceArgs(bench.cluster.bootstrap, topic, setup.acks, input));
  const offsets = await bench.admin.fetchTopicOffsets(topic);
  const stored = offsets.reduce((sum, o) => sum + Number(o.high), 0);
  if (stored !== records) throw new Error(`${topic}: kcat produced ${records} records with acks=${setup.acks}, the partitions' high watermarks add up to ${stored}`);
  await deleteTopic(bench, topic);
  return seconds;
}

export async function throughputFigures(bench: BenchContext, sizes: readonly ThroughputSize[], rounds: number): Promise<Figure[]> {
  console.log(`\nthroughput: kcat -P into ${PARTITIONS} partitions, ${rounds} rounds; per round: ${BASELINE.name} and ${REPLICATED.name}, order alternating`);
  console.log(`  kcat ${kcatProduceArgs(bench.cluster.bootstrap, '<topic>', '<1|all>', '<records file>').join(' ')}`);
  const figures: Figure[] = [];
  for (const { recordBytes, records } of sizes) {
    const input = join(bench.workDir, `records-${recordBytes}.txt`);
    await writeRecordLines(input, records, recordBytes);
    const label = recordBytes >= 1024 ? `${recordBytes / 1024} KiB` : `${recordBytes} B`;
    for (const policy of POLICIES) {
      const seconds = new Map<Setup, number[]>([
        [BASELINE, []],
        [REPLICATED, []],
      ]);
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? [BASELINE, REPLICATED] : [REPLICATED, BASELINE];
        const line: string[] = [];
        for (const setup of order) {
          const topic = `throughput-${recordBytes}-${policy.key}-${setup.key}-${round}`;
          const s = await produceOnce(bench, topic, setup, policy, input, records);
          seconds.get(setup)!.push(s);
          line.push(`${setup.name} ${s.toFixed(2)} s`);
        }
        console.log(`  ${records.toLocaleString('en-US')} x ${label}, ${policy.name}, round ${round + 1}: ${line.join(', ')}`);
      }
      const recordsPerSecond = (setup: Setup) => median(seconds.get(setup)!.map((s) => records / s));
      const base = recordsPerSecond(BASELINE);
      const replicated = recordsPerSecond(REPLICATED);
      const megabytes = (rate: number) => (rate * recordBytes) / 1e6;
      const name = `${label}, ${policy.name}: ${REPLICATED.name}`;
      figures.push(
        { name: `${name} records/s`, value: replicated, unit: 'records/s', baseline: { name: BASELINE.name, value: base }, target: { atLeast: TARGET_RATIO * base } },
        { name: `${name} MB/s`, value: megabytes(replicated), unit: 'MB/s', baseline: { name: BASELINE.name, value: megabytes(base) } },
      );
    }
  }
  return figures;
}
