import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ErrorCode, decodeRecordBatches } from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { RawConnection } from '../test/raw-connection.test-support.js';
import { fetchPartition } from '../test/raw-requests.test-support.js';
import { waitFor } from './cluster.test-support.js';
import { runCli } from './cli.test-support.js';
import { jsonLogLines } from './json-log-lines.test-support.js';
import type { CliRun } from './cli.test-support.js';
import { withTmpfs } from '../../../packages/log-storage/src/tmpfs.test-support.js';

const READY = /^kstream ready: bootstrap 127\.0\.0\.1:(\d+) \(1 brokers, /m;
const TOPIC = 'orders';

/** Writes a file until the file system has no space left; returns its path. */
function fillUp(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return path;
}

/** One Fetch of the whole partition: its error code and the values of its records. */
async function fetchValues(port: number): Promise<{ errorCode: number; values: string[] }> {
  const conn = await RawConnection.open(port);
  try {
    const answer = await fetchPartition(conn, TOPIC, 0, 0n);
    const batches = await decodeRecordBatches(answer.records ?? Buffer.alloc(0));
    return { errorCode: answer.errorCode, values: batches.flatMap((b) => b.records.map((r) => r.value?.toString('utf8') ?? '')) };
  } finally {
    conn.close();
  }
}

describe('kstream start on a full disk', () => {
  const runs: CliRun[] = [];

  afterEach(async () => {
    for (const run of runs.splice(0)) {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      await run.exit;
    }
  });

  async function start(dataDir: string): Promise<{ run: CliRun; port: number }> {
    const run = runCli(['start', '--brokers', '1', '--port', '0', '--data-dir', dataDir]);
    runs.push(run);
    await waitFor('the ready line', () => READY.test(run.stdout()) || run.child.exitCode !== null, 30_000);
    const match = READY.exec(run.stdout());
    if (!match) throw new Error(`no ready line; stderr:\n${run.stderr()}`);
    return { run, port: Number(match[1]) };
  }

  it(
    'fullDiskShutdownAndRestart: SIGTERM on a full disk exits 1 naming the broker and ENOSPC; a restart while still full has the partition offline, and it comes back with every acknowledged record once space is freed, without another restart',
    (ctx) =>
      withTmpfs(ctx, '16m', async (tmpfs) => {
        const first = await start(tmpfs.path);
        const kafka = new Kafka({ clientId: 'disk-full', brokers: [`127.0.0.1:${first.port}`], logLevel: logLevel.NOTHING });
        const admin = kafka.admin();
        await admin.connect();
        await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 1 }] });
        await admin.disconnect();
        const producer = kafka.producer();
        await producer.connect();
        const values = Array.from({ length: 20 }, (_, i) => `order ${i} `.padEnd(2000, '.'));
        for (const value of values) await producer.send({ topic: TOPIC, acks: -1, messages: [{ value }] });
        await producer.disconnect();

        const filler = fillUp(tmpfs.path);
        first.run.child.kill('SIGTERM');
        expect(await first.run.exit).toBe(1);
        expect(jsonLogLines(first.run.stderr())).toContainEqual(
          expect.objectContaining({ level: 'error', component: 'node', msg: expect.stringMatching(/^shutdown failed: broker 1 did not shut down cleanly: .*ENOSPC/) }),
        );

        // Recovery has to rebuild what the failed shutdown did not write: it cannot while the disk is full.
        const second = await start(tmpfs.path);
        await waitFor('the partition offline', async () => (await fetchValues(second.port)).errorCode === ErrorCode.KAFKA_STORAGE_ERROR, 10_000);
        rmSync(filler);
        await waitFor('the partition back', async () => (await fetchValues(second.port)).errorCode === ErrorCode.NONE, 20_000);
        expect(await fetchValues(second.port)).toEqual({ errorCode: ErrorCode.NONE, values });
        expect(second.run.stderr().match(/offline on this broker/g)).toHaveLength(1);
        expect(jsonLogLines(second.run.stderr())).toContainEqual(expect.objectContaining({ level: 'info', broker: 1, msg: expect.stringMatching(/^Partition back online/) }));
        second.run.child.kill('SIGTERM');
        expect(await second.run.exit).toBe(0);
      }),
    90_000,
  );
});
