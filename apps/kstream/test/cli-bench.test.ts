// `kstream bench produce|consume|e2e` as subprocesses against a 3-broker
// node: Kafka's perf tools' output lines (piped: no progress line), --json,
// and the records really written and read.
import { Admin } from '@kstream/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { kstream } from './cli-run.test-support.js';

const NUMBER = String.raw`\d+(?:\.\d+)?`;

describe('kstream bench', { timeout: 240_000 }, () => {
  let node: CompatCluster;
  let admin: Admin;
  let topic: string;
  const run = (...args: string[]) => kstream([...args, '--bootstrap', node.bootstrap]);

  beforeAll(async () => {
    node = await CompatCluster.start('cli-bench');
    admin = new Admin({ bootstrap: node.bootstrap });
    topic = topicName('perf');
    await admin.createTopics([{ topic, numPartitions: 2, replicationFactor: 3 }]);
  });

  afterAll(async () => {
    await admin?.close();
    await node?.stop();
  });

  it("produceThenConsume: Kafka's final lines, and every record on the partitions", async () => {
    const produced = await run('bench', 'produce', '--topic', topic, '--num-records', '2000', '--record-size', '50', '--throughput', '-1');
    expect(produced.code).toBe(0);
    expect(produced.stdout).toMatch(
      new RegExp(
        `^2000 records sent, ${NUMBER} records/sec \\(${NUMBER} MB/sec\\), ${NUMBER} ms avg latency, ${NUMBER} ms max latency, \\d+ ms 50th, \\d+ ms 95th, \\d+ ms 99th, \\d+ ms 99\\.9th\\.\\n$`,
      ),
    );
    expect(produced.stderr).toBe('');
    const ends = await admin.listOffsets([0, 1].map((partition) => ({ topic, partition, spec: 'latest' as const })));
    expect(ends.reduce((sum, e) => sum + e.offset, 0n)).toBe(2000n);

    const consumed = await run('bench', 'consume', '--topic', topic, '--messages', '2000');
    expect(consumed.code).toBe(0);
    const [header, figures, ...rest] = consumed.stdout.trimEnd().split('\n');
    expect(rest).toEqual([]);
    expect(header).toBe('start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec');
    const fields = figures!.split(', ');
    expect(fields[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}$/);
    expect(fields[2]).toBe((100_000 / (1024 * 1024)).toFixed(4));
    expect(fields[4]).toBe('2000');
  });

  it('e2eJson: every record read back, the latency figures for machines', async () => {
    const result = await run('bench', 'e2e', '--topic', topic, '--num-records', '50', '--record-size', '20', '--acks', '1', '--json');
    expect(result.code).toBe(0);
    const figures = JSON.parse(result.stdout) as { records: number; latencyMs: Record<string, number> };
    expect(figures.records).toBe(50);
    const { avgMs, maxMs, p50Ms, p99Ms } = figures.latencyMs as { avgMs: number; maxMs: number; p50Ms: number; p99Ms: number };
    expect(avgMs).toBeGreaterThan(0);
    expect(p50Ms).toBeLessThanOrEqual(p99Ms);
    expect(p99Ms).toBeLessThanOrEqual(maxMs);
  });

  it('unknownTopic: one line, exit 1', async () => {
    const missing = topicName('missing');
    expect(await run('bench', 'produce', '--topic', missing, '--num-records', '1')).toMatchObject({ code: 1, stdout: '', stderr: `kstream: topic "${missing}" does not exist\n` });
  });
});
