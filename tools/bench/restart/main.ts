// npm run bench -- restart [--rounds N] [--mb M]
// How long a broker worker takes to come back (issue 9, item 8): a 3-broker
// cluster started from source, as `npm start` and an embedding test run it,
// M MiB produced first (acks=1, left unflushed), then N crashes of a broker
// (round robin) each timed from the crash to the broker running and
// registered again, and N clean restarts (restartBroker). Baseline, in the
// same run: spawning a worker thread running an empty TypeScript module
// through tsx — the floor of any restart from source — and a bare worker
// thread running nothing.
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { spawnWorker } from '@kstream/actor';
import { startCluster } from '@kstream/kstream';
import type { Cluster } from '@kstream/kstream';
import { Kafka, logLevel } from 'kafkajs';
import { median, report } from '../harness.js';

const BROKERS = 3;
const TARGET_MS = 1_000;
const quiet = { info() {}, warn() {}, error() {} };

function parseArgs(args: readonly string[]): { rounds: number; mb: number } {
  const options = { rounds: 9, mb: 32 };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split('=', 2) as [string, string | undefined];
    const key = flag === '--rounds' ? 'rounds' : flag === '--mb' ? 'mb' : undefined;
    const value = inline ?? args[++i];
    if (key === undefined || value === undefined) throw new Error(`unknown argument ${JSON.stringify(args[i])}; usage: npm run bench -- restart [--rounds N] [--mb M]`);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0 || (key === 'rounds' && n < 1))
      throw new Error(`${flag} needs a whole number${key === 'rounds' ? ' >= 1' : ' >= 0'}, got ${JSON.stringify(value)}`);
    options[key] = n;
  }
  return options;
}

async function timeWorker(start: () => Worker): Promise<number> {
  const t = performance.now();
  const worker = start();
  await once(worker, 'message');
  const ms = performance.now() - t;
  await worker.terminate();
  return ms;
}

async function waitRunning(cluster: Cluster, id: number): Promise<void> {
  for (;;) {
    const broker = (await cluster.control.describe()).brokers.find((b) => b.id === id)!;
    if (broker.state === 'running' && broker.alive) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function produce(bootstrap: string, mb: number): Promise<void> {
  if (mb === 0) return;
  const kafka = new Kafka({ brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'restart-bench', numPartitions: BROKERS }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const value = Buffer.alloc(16 * 1024, 'k');
  const perSend = 64;
  for (let sent = 0; sent < mb * 64; sent += perSend) {
    await producer.send({ topic: 'restart-bench', acks: 1, messages: Array.from({ length: perSend }, (_, i) => ({ value, partition: (sent + i) % BROKERS })) });
  }
  await producer.disconnect();
}

export async function main(args: string[]): Promise<void> {
  const { rounds, mb } = parseArgs(args);
  const emptyTs = new URL('./empty-worker.ts', import.meta.url);
  const bare = `require('node:worker_threads').parentPort.postMessage('running')`;
  const baselineTs: number[] = [];
  const baselineBare: number[] = [];
  for (let i = 0; i < rounds; i++) {
    baselineTs.push(await timeWorker(() => spawnWorker(emptyTs)));
    baselineBare.push(await timeWorker(() => new Worker(bare, { eval: true })));
  }

  const dataDir = await mkdtemp(join(tmpdir(), 'kstream-bench-restart-'));
  const cluster = await startCluster({ brokers: BROKERS, dataDir, port: 0, logger: quiet });
  const crashes: number[] = [];
  const restarts: number[] = [];
  try {
    await produce(cluster.bootstrap, mb);
    for (let i = 0; i < rounds; i++) {
      const id = (i % BROKERS) + 1;
      const t = performance.now();
      await cluster.control.crashBroker(id);
      await waitRunning(cluster, id);
      crashes.push(performance.now() - t);
    }
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      await cluster.control.restartBroker((i % BROKERS) + 1);
      restarts.push(performance.now() - t);
    }
  } finally {
    await cluster.stop();
    await rm(dataDir, { recursive: true, force: true });
  }

  const tsFloor = { name: 'empty .ts worker via tsx', value: median(baselineTs) };
  const bareFloor = { name: 'bare worker thread', value: median(baselineBare) };
  report(`restart: a broker worker coming back, 3 brokers from source, ${mb} MiB produced first (median of ${rounds}; ms)`, [
    { name: 'crash -> running and registered', value: median(crashes), unit: 'ms', baseline: tsFloor, target: { atMost: TARGET_MS } },
    { name: 'crash -> running and registered', value: median(crashes), unit: 'ms', baseline: bareFloor },
    { name: 'crash -> running and registered, max', value: Math.max(...crashes), unit: 'ms' },
    { name: 'restartBroker (clean stop, start)', value: median(restarts), unit: 'ms', baseline: tsFloor, target: { atMost: TARGET_MS } },
    { name: 'restartBroker (clean stop, start), max', value: Math.max(...restarts), unit: 'ms' },
  ]);
}
