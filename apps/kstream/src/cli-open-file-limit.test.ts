// A node under a low open-file limit (`ulimit -n 256`) hosting more
// partition replicas than the limit allows files: each broker keeps its
// segments' .log files within its share of the limit (log.open.files.max 0:
// 256 / 2 / 3 = 42 files), closing idle ones and reopening them on use.
// Without that, the node runs out of descriptors (EMFILE) and takes
// partitions offline.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Consumer, Producer, stringSerde, type ConsumerRecord } from '@kstream/client';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, waitFor } from './cluster.test-support.js';
import type { CliRun } from './cli.test-support.js';

const OPEN_FILE_LIMIT = 256;
const PARTITIONS = 120;
const REPLICATION = 3;
const READY = /^kstream ready: bootstrap (\S+) \(3 brokers, /m;
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const mainTs = fileURLToPath(new URL('./main.ts', import.meta.url));

/** `kstream start` in a shell that lowered its open-file limit first. */
function startUnderLimit(dataDir: string): CliRun {
  const node = [process.execPath, '--conditions=@kstream/source', '--import', 'tsx', mainTs, 'start', '--port', '0', '--data-dir', dataDir];
  const child = spawn('bash', ['-c', `ulimit -n ${OPEN_FILE_LIMIT} && exec "$@"`, 'bash', ...node], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exit = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? `killed by ${signal}`)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function ready(run: CliRun): Promise<string> {
  await waitFor('the ready line', () => READY.test(run.stdout()) || run.child.exitCode !== null, 60_000);
  const match = READY.exec(run.stdout());
  if (!match) throw new Error(`no ready line; stderr:\n${run.stderr()}`);
  return match[1]!;
}

/** Every record of the topic, read from offset 0 of each partition. */
async function readAll(bootstrap: string, topic: string, count: number): Promise<Map<number, string[]>> {
  const consumer = new Consumer<string, string>({ bootstrap, keyDeserializer: stringSerde, valueDeserializer: stringSerde, autoOffsetReset: 'earliest', fetchMaxWaitMs: 100 });
  try {
    consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
    const got: ConsumerRecord<string, string>[] = [];
    const deadline = Date.now() + 60_000;
    while (got.length < count) {
      if (Date.now() > deadline) throw new Error(`read ${got.length} of ${count} records`);
      for (const batch of await consumer.poll({ timeoutMs: 500 })) got.push(...batch.records);
    }
    const byPartition = new Map<number, string[]>();
    for (const r of got) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r.value!]);
    return byPartition;
  } finally {
    await consumer.close();
  }
}

/** Each broker's kstream_log_open_files and _limit, and the node's evictions, from the node's metrics endpoint. */
async function logFileMetrics(run: CliRun): Promise<{ open: number[]; limits: number[]; evictions: number }> {
  const url = /Prometheus metrics at (http:\/\/[^\s"]+)/.exec(run.stderr())?.[1];
  if (url === undefined) throw new Error(`no metrics URL logged; stderr:\n${run.stderr()}`);
  const text = await (await fetch(url)).text();
  const values = (name: string) =>
    [...text.matchAll(new RegExp(`^${name}\\{broker="(\\d)"\\} (\\d+)$`, 'gm'))].sort((a, b) => Number(a[1]) - Number(b[1])).map((m) => Number(m[2]));
  return {
    open: values('kstream_log_open_files'),
    limits: values('kstream_log_open_files_limit'),
    evictions: values('kstream_log_file_evictions_total').reduce((a, b) => a + b, 0),
  };
}

async function sendOneToEach(bootstrap: string, topic: string, round: string): Promise<void> {
  const producer = new Producer<string, string>({ bootstrap, keySerializer: stringSerde, valueSerializer: stringSerde, acks: 'all' });
  try {
    await producer.send(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, value: `${round}-${partition}` })));
  } finally {
    await producer.close();
  }
}

describe(`kstream start under ulimit -n ${OPEN_FILE_LIMIT}`, { timeout: 240_000 }, () => {
  let dataDir: string;
  const runs: CliRun[] = [];

  beforeEach(async () => {
    dataDir = await makeTempDir('open-file-limit');
  });

  afterEach(async () => {
    for (const run of runs.splice(0)) {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      await run.exit;
    }
    await removeDir(dataDir);
  });

  it(`boundedFiles: ${PARTITIONS * REPLICATION} replicas are written, read, restarted and read again with no descriptor run out`, async () => {
    const first = startUnderLimit(dataDir);
    runs.push(first);
    const bootstrap = await ready(first);
    const admin = new Kafka({ clientId: 'open-file-limit', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'wide', numPartitions: PARTITIONS, replicationFactor: REPLICATION }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    await sendOneToEach(bootstrap, 'wide', 'first');
    const before = await readAll(bootstrap, 'wide', PARTITIONS);
    for (let p = 0; p < PARTITIONS; p++) expect(before.get(p), `partition ${p}`).toEqual([`first-${p}`]);
    const metrics = await logFileMetrics(first);
    expect(metrics.limits).toEqual([42, 42, 42]);
    for (const [i, open] of metrics.open.entries()) expect(open, `broker ${i + 1}'s open log files`).toBeLessThanOrEqual(42);
    expect(metrics.evictions, 'idle segment files were closed to make room').toBeGreaterThan(0);
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);

    const second = startUnderLimit(dataDir);
    runs.push(second);
    const again = await ready(second);
    await sendOneToEach(again, 'wide', 'second');
    const after = await readAll(again, 'wide', 2 * PARTITIONS);
    for (let p = 0; p < PARTITIONS; p++) expect(after.get(p), `partition ${p}`).toEqual([`first-${p}`, `second-${p}`]);
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);

    for (const run of [first, second]) {
      expect(run.stderr()).not.toMatch(/EMFILE|too many open files/i);
      expect(run.stderr()).not.toMatch(/offline|KafkaStorageError/);
    }
  });
});
