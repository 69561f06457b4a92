// npm run bench -- broker [--records N]
// kcat (librdkafka) producing N records of 100 bytes (acks=1) into a fresh
// 6-partition topic (RF 1) on a 3-broker cluster this benchmark starts, then
// consuming them back from the beginning to the end, once as the issue's
// command has it and once with librdkafka's prefetch queue raised (see
// LARGE_QUEUE); median of 3 rounds, a new topic each round. Baseline, in the
// same run and cluster: the same kcat commands against a 1-partition topic,
// so one broker's loop serves it all — the ratio is what spreading
// partitions over brokers adds.
// Times are kcat's wall time, start to exit: the consume includes librdkafka's
// last fetch at the end of each partition, which the broker parks for
// fetch.wait.max.ms (500 ms) as Kafka does, before kcat -e sees the end.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster } from '@kstream/kstream';
import { Kafka, logLevel } from 'kafkajs';
import { median, report } from '../harness.js';
import { runKcat, writeRecordLines } from '../kcat.js';

const RECORD_BYTES = 100;
const ROUNDS = 3;
const PARTITIONS = 6;
const PRODUCE_TARGET = 500_000;
const CONSUME_TARGET = 1_000_000;
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function parseArgs(args: readonly string[]): { records: number } {
  let records = 2_000_000;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = arg.startsWith('--records=') ? arg.slice('--records='.length) : arg === '--records' ? args[++i] : undefined;
    if (value === undefined) throw new Error(`unknown argument ${JSON.stringify(arg)}; usage: npm run bench -- broker [--records N]`);
    records = Number(value);
    if (!Number.isSafeInteger(records) || records < 1) throw new Error(`--records needs a positive integer, got ${JSON.stringify(value)}`);
  }
  return { records };
}

interface Rates {
  produce: number;
  consume: number;
  /** Consumed with librdkafka's prefetch queue raised (LARGE_QUEUE). */
  consumeLargeQueue: number;
}

// librdkafka 2.0 stops fetching a partition whose prefetch queue holds
// queued.min.messages (100,000) and sets no timer to look again: its broker
// thread re-checks on its next idle wakeup, a second later ("not fetchable:
// queued.min.messages exceeded" in kcat -d fetch; librdkafka 2.1.0 made that
// wait fetch.queue.backoff.ms). kcat puts every partition on one queue, whose
// length is what each partition is checked against, so three brokers
// fetching at once fill it in ~0.1 s and kcat idles the rest of each second
// at ~15% CPU; one partition's single fetch at a time rarely outruns kcat.
// The second consume raises the queue so the figure shows the broker, not
// that pause.
const LARGE_QUEUE = ['-X', 'queued.min.messages=1000000'];
const LARGE_QUEUE_WHY =
  "plain consume vs larger queue: librdkafka 2.0.2 stops fetching while kcat's one queue for all partitions holds queued.min.messages (100,000) and looks again only on its broker threads' 1 s wakeup (fetch.queue.backoff.ms, librdkafka 2.1.0+)";

export async function main(args: string[]): Promise<void> {
  const { records } = parseArgs(args);
  await mkdir(join(repoRoot, 'tmp'), { recursive: true });
  const workDir = await mkdtemp(join(repoRoot, 'tmp', 'bench-broker-'));
  const input = join(workDir, 'records.txt');
  const quiet = { info: () => {}, warn: console.warn, error: console.error };
  try {
    await writeRecordLines(input, records, RECORD_BYTES);
    const cluster = await startCluster({ brokers: 3, dataDir: join(workDir, 'data'), port: 0, logger: quiet });
    const admin = new Kafka({ clientId: 'bench-broker', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
    let single: Rates;
    let spread: Rates;
    try {
      await admin.connect();
      const produceArgs = (topic: string) => ['-P', '-b', cluster.bootstrap, '-t', topic, '-X', 'acks=1', '-l', input];
      const consumeArgs = (topic: string, extra: readonly string[] = []) => ['-C', '-b', cluster.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', ...extra];
      console.log(`kcat commands (${records.toLocaleString('en-US')} records of ${RECORD_BYTES} bytes, ${ROUNDS} rounds each):`);
      console.log(`  kcat ${produceArgs('<topic>').join(' ')}`);
      console.log(`  kcat ${consumeArgs('<topic>').join(' ')}`);
      console.log(`  kcat ${consumeArgs('<topic>', LARGE_QUEUE).join(' ')}`);

      const measure = async (name: string, partitions: number): Promise<Rates> => {
        const produce: number[] = [];
        const consume: number[] = [];
        const consumeLargeQueue: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const topic = `bench-${name}-${round}`;
          await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
          const produced = await runKcat(produceArgs(topic));
          const offsets = await admin.fetchTopicOffsets(topic);
          const stored = offsets.reduce((sum, o) => sum + Number(o.high), 0);
          if (stored !== records) throw new Error(`${topic}: kcat produced ${records} records, the partitions hold ${stored}`);
          const consumed = await runKcat(consumeArgs(topic));
          const consumedLargeQueue = await runKcat(consumeArgs(topic, LARGE_QUEUE));
          for (const run of [consumed, consumedLargeQueue]) {
            if (run.lines !== records) throw new Error(`${topic}: kcat consumed ${run.lines} records of ${records}`);
          }
          produce.push(records / produced.seconds);
          consume.push(records / consumed.seconds);
          consumeLargeQueue.push(records / consumedLargeQueue.seconds);
          console.log(
            `  ${topic}: produce ${produced.seconds.toFixed(2)} s, consume ${consumed.seconds.toFixed(2)} s, ` + `with the larger queue ${consumedLargeQueue.seconds.toFixed(2)} s`,
          );
          await admin.deleteTopics({ topics: [topic] });
        }
        return { produce: median(produce), consume: median(consume), consumeLargeQueue: median(consumeLargeQueue) };
      };

      single = await measure('1p', 1);
      spread = await measure(`${PARTITIONS}p`, PARTITIONS);
    } finally {
      await admin.disconnect();
      await cluster.stop();
    }
    // Reported once the cluster is down, so its shutdown log lines do not interleave with the figures.
    const megabytes = (rate: number) => (rate * RECORD_BYTES) / 1e6;
    const baselineName = '1 partition';
    report(`broker: kcat against a 3-broker cluster, ${PARTITIONS} partitions, RF 1, acks=1 (median of ${ROUNDS})`, [
      { name: 'produce records/s', value: spread.produce, unit: 'records/s', baseline: { name: baselineName, value: single.produce }, target: { atLeast: PRODUCE_TARGET } },
      { name: 'produce MB/s (values)', value: megabytes(spread.produce), unit: 'MB/s', baseline: { name: baselineName, value: megabytes(single.produce) } },
      { name: 'consume records/s', value: spread.consume, unit: 'records/s', baseline: { name: baselineName, value: single.consume }, target: { atLeast: CONSUME_TARGET } },
      { name: 'consume MB/s (values)', value: megabytes(spread.consume), unit: 'MB/s', baseline: { name: baselineName, value: megabytes(single.consume) } },
      {
        name: 'consume records/s, queued.min.messages=1000000',
        value: spread.consumeLargeQueue,
        unit: 'records/s',
        baseline: { name: baselineName, value: single.consumeLargeQueue },
        target: { atLeast: CONSUME_TARGET },
      },
    ]);
    console.log(`  ${LARGE_QUEUE_WHY}`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
