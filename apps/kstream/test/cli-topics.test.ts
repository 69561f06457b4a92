// `kstream topics` as a subprocess against a 3-broker node: what each
// subcommand prints (piped: plain tab-separated lines; --json) and its exit
// code, the cluster's state checked through the Admin client.
import { Admin } from '@kstream/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { kstream } from './cli-run.test-support.js';

describe('kstream topics', { timeout: 240_000 }, () => {
  let node: CompatCluster;
  let admin: Admin;
  const run = (...args: string[]) => kstream([...args, '--bootstrap', node.bootstrap]);

  beforeAll(async () => {
    node = await CompatCluster.start('cli-topics');
    admin = new Admin({ bootstrap: node.bootstrap });
  });

  afterAll(async () => {
    await admin?.close();
    await node?.stop();
  });

  it('createListDescribe: the topic as asked, its configs and each partition with leader, replicas, ISR and offsets', async () => {
    const topic = topicName('orders');
    const created = await run('topics', 'create', topic, '--partitions', '3', '--replication-factor', '3', '--config', 'retention.ms=86400000');
    expect(created).toMatchObject({ code: 0, stdout: `Created topic ${topic}.\n` });
    const [listed, described, json] = await Promise.all([run('topics', 'list'), run('topics', 'describe', topic), run('topics', 'describe', topic, '--json')]);
    expect(listed.stdout.split('\n')).toContain(topic);
    const lines = described.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Topic: ${topic}\\tTopicId: [0-9a-f-]{36}\\tPartitionCount: 3\\tReplicationFactor: 3\\tConfigs: retention.ms=86400000$`));
    expect(lines.slice(1).map((line) => line.split('\t')[1])).toEqual(['0', '1', '2']);
    for (const line of lines.slice(1)) {
      const [name, , leader, replicas, isr, offline, start, end] = line.split('\t');
      expect(name).toBe(topic);
      expect(replicas!.split(',').sort()).toEqual(['1', '2', '3']);
      expect(isr!.split(',').sort()).toEqual(['1', '2', '3']);
      expect(replicas!.split(',')).toContain(leader);
      expect([offline, start, end]).toEqual(['-', '0', '0']);
    }
    const parsed = JSON.parse(json.stdout) as {
      topic: string;
      partitionCount: number;
      configs: Record<string, string>;
      partitions: Array<{ logEndOffset: number; isr: number[] }>;
    };
    expect(parsed).toMatchObject({ topic, partitionCount: 3, replicationFactor: 3, configs: { 'retention.ms': '86400000' } });
    expect(parsed.partitions.map((p) => [p.logEndOffset, p.isr.length])).toEqual([
      [0, 3],
      [0, 3],
      [0, 3],
    ]);
  });

  it('alterAddPartitionsDelete: each change reaches the cluster, and a deleted topic is gone', async () => {
    const topic = topicName('changing');
    expect((await run('topics', 'create', topic, '--partitions', '1', '--replication-factor', '1')).code).toBe(0);
    const [altered, grown] = await Promise.all([
      run('topics', 'alter', topic, '--config', 'retention.ms=3600000', '--config', 'cleanup.policy=compact'),
      run('topics', 'add-partitions', topic, '--partitions', '4'),
    ]);
    expect(altered).toMatchObject({ code: 0, stdout: `Altered configs of topic ${topic}.\n` });
    expect(grown).toMatchObject({ code: 0, stdout: `Topic ${topic} now has 4 partitions.\n` });
    const [described] = await admin.describeTopics([topic], { includeConfigs: true });
    expect(described!.partitions).toHaveLength(4);
    expect(
      described!
        .configs!.filter((c) => c.source === 'TOPIC_CONFIG')
        .map((c) => [c.name, c.value])
        .sort(),
    ).toEqual([
      ['cleanup.policy', 'compact'],
      ['retention.ms', '3600000'],
    ]);
    const reset = await run('topics', 'alter', topic, '--delete-config', 'cleanup.policy');
    expect(reset.code).toBe(0);
    const shrink = await run('topics', 'add-partitions', topic, '--partitions', '2');
    expect(shrink).toMatchObject({ code: 1, stderr: `kstream: topic ${topic} has 4 partitions; --partitions 2 must be more (partitions cannot be removed)\n` });
    expect(await run('topics', 'delete', topic)).toMatchObject({ code: 0, stdout: `Deleted topic ${topic}.\n` });
    expect(await admin.listTopics()).not.toContain(topic);
  });

  it('unknownTopic: describe, alter, add-partitions and delete each say which topic does not exist, exit 1', async () => {
    const missing = topicName('missing');
    const results = await Promise.all([
      run('topics', 'describe', missing),
      run('topics', 'alter', missing, '--config', 'retention.ms=1'),
      run('topics', 'add-partitions', missing, '--partitions', '2'),
      run('topics', 'delete', missing),
    ]);
    for (const result of results) expect(result).toMatchObject({ code: 1, stdout: '', stderr: `kstream: topic "${missing}" does not exist\n` });
    expect(await run('topics', 'delete', missing, '--if-exists')).toMatchObject({ code: 0, stdout: '' });
  });

  it("createExisting: exit 1 with Kafka's error, or 0 with --if-not-exists", async () => {
    const topic = topicName('twice');
    expect((await run('topics', 'create', topic, '--partitions', '1')).code).toBe(0);
    const [again, tolerated] = await Promise.all([run('topics', 'create', topic), run('topics', 'create', topic, '--if-not-exists')]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^kstream: [^\n]*TOPIC_ALREADY_EXISTS[^\n]*\n$/);
    expect(tolerated).toMatchObject({ code: 0, stderr: '' });
  });
});
