// `kstream produce`, `consume` and `groups` as subprocesses against a
// 3-broker node: records in (lines, keys, headers, JSON, a partition) and
// out (every format), offsets committed by a group's consumer — after
// --max-messages and after Ctrl-C — as `groups describe` and
// `reset-offsets` see them, and bad input.
import { Admin } from '@kstream/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { kstream, startKstream, waitForOutput } from './cli-run.test-support.js';

interface JsonRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

describe('kstream produce, consume and groups', { timeout: 240_000 }, () => {
  let node: CompatCluster;
  let admin: Admin;
  const args = (...rest: string[]) => [...rest, '--bootstrap', node.bootstrap];
  const run = (rest: string[], input?: string) => kstream(args(...rest), input === undefined ? {} : { input });
  const jsonLines = (stdout: string) =>
    stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as JsonRecord);

  beforeAll(async () => {
    node = await CompatCluster.start('cli-records', { 'group.initial.rebalance.delay.ms': '0' });
    admin = new Admin({ bootstrap: node.bootstrap });
  });

  afterAll(async () => {
    await admin?.close();
    await node?.stop();
  });

  async function createTopic(prefix: string, partitions: number): Promise<string> {
    const topic = topicName(prefix);
    await admin.createTopics([{ topic, numPartitions: partitions, replicationFactor: 3 }]);
    return topic;
  }

  it('keysHeadersAndFormats: keyed lines with headers come back in every format, each key in one partition', async () => {
    const topic = await createTopic('keyed', 3);
    const produced = await run(
      ['produce', topic, '--key-separator', ':', '--header', 'source=cli', '--header', 'run=1', '--acks', '1', '--compression', 'gzip'],
      'a:1\nb:2\na:3\n\nc:x:y\n',
    );
    expect(produced).toMatchObject({ code: 0, stdout: '', stderr: `4 records sent to ${topic}\n` });
    const [json, keyValue] = await Promise.all([
      run(['consume', topic, '--from-beginning', '--max-messages', '4', '--format', 'json']),
      run(['consume', topic, '--from-beginning', '--max-messages', '4', '--format', 'key-value', '--key-separator', '=']),
    ]);
    expect(json).toMatchObject({ code: 0, stderr: 'Processed a total of 4 messages\n' });
    const records = jsonLines(json.stdout);
    expect(records.map((r) => `${r.key}=${r.value}`).sort()).toEqual(['a=1', 'a=3', 'b=2', 'c=x:y']);
    for (const r of records) expect(r).toMatchObject({ topic, headers: { source: 'cli', run: '1' } });
    const aRecords = records.filter((r) => r.key === 'a');
    expect(aRecords[0]!.partition).toBe(aRecords[1]!.partition);
    expect(aRecords.map((r) => r.value)).toEqual(['1', '3']);
    expect(keyValue.stdout.trimEnd().split('\n').sort()).toEqual(['a=1', 'a=3', 'b=2', 'c=x:y']);
  });

  it('jsonInputAndPartition: JSON lines keep their fields; --partition and --offset read one partition from an offset', async () => {
    const topic = await createTopic('json', 2);
    const input = [
      JSON.stringify({ key: 'k1', value: 'first', headers: { h: 'v' }, partition: 1 }),
      JSON.stringify({ value: { sku: 7 }, partition: 1 }),
      JSON.stringify({ key: 'k3', value: null, partition: 0 }),
    ].join('\n');
    expect((await run(['produce', topic, '--json'], input)).code).toBe(0);
    const [fromOffset1, onlyPartition0] = await Promise.all([
      run(['consume', topic, '--partition', '1', '--offset', '1', '--max-messages', '1', '--format', 'json']),
      run(['consume', topic, '--partition', '0', '--offset', 'earliest', '--max-messages', '1', '--format', 'json']),
    ]);
    expect(jsonLines(fromOffset1.stdout)).toEqual([expect.objectContaining({ partition: 1, offset: 1, key: null, value: '{"sku":7}', headers: {} })]);
    expect(jsonLines(onlyPartition0.stdout)).toEqual([expect.objectContaining({ partition: 0, offset: 0, key: 'k3', value: null })]);
    const values = await run(['consume', topic, '--partition', '1', '--from-beginning', '--max-messages', '2']);
    expect(values.stdout).toBe('first\n{"sku":7}\n');
  });

  it('badInput: a bad JSON line, a line without the separator, an unknown topic and partition each exit 1 with one line', async () => {
    const topic = await createTopic('bad', 1);
    const missing = topicName('missing');
    const [badJson, noSeparator, unknownTopic, unknownPartition, consumeUnknown] = await Promise.all([
      run(['produce', topic, '--json'], '{"value":"ok"}\n{not json\n'),
      run(['produce', topic, '--key-separator', ':'], 'a:1\nno separator here\n'),
      run(['produce', missing], 'x\n'),
      run(['produce', topic, '--partition', '5'], 'x\n'),
      run(['consume', missing, '--max-messages', '1']),
    ]);
    expect(badJson.code).toBe(1);
    expect(badJson.stderr).toMatch(/^kstream: line 2: not JSON \([^\n]*\): "\{not json"\n$/);
    expect(noSeparator).toMatchObject({ code: 1, stderr: 'kstream: line 2: no key separator ":" in "no separator here"\n' });
    expect(unknownTopic).toMatchObject({ code: 1, stderr: `kstream: topic "${missing}" does not exist\n` });
    expect(unknownPartition).toMatchObject({ code: 1, stderr: `kstream: topic ${topic} has 1 partitions: --partition 5 does not exist\n` });
    expect(consumeUnknown).toMatchObject({ code: 1, stderr: `kstream: topic "${missing}" does not exist\n` });
  });

  it('groupCommitsAndResets: --max-messages commits what was printed; Ctrl-C exits 0 with offsets committed; describe shows lag; reset-offsets moves them', async () => {
    const topic = await createTopic('grouped', 2);
    const group = topicName('billing');
    expect((await run(['produce', topic, '--partition', '0'], 'a\nb\nc\n')).code).toBe(0);
    const firstTwo = await run(['consume', topic, '--group', group, '--from-beginning', '--max-messages', '2']);
    expect(firstTwo).toMatchObject({ code: 0, stdout: 'a\nb\n' });

    const described = await run(['groups', 'describe', group]);
    expect(described.code).toBe(0);
    expect(described.stdout.split('\n').filter((line) => line.startsWith(`${group}\t${topic}\t0\t`))).toEqual([`${group}\t${topic}\t0\t2\t3\t1\t-\t-`]);

    // A member that reads the rest, then is interrupted as a terminal's Ctrl-C does.
    const member = startKstream(args('consume', topic, '--group', group));
    await waitForOutput(member, 'the third record', (stdout) => stdout === 'c\n', 120_000);
    const listed = await run(['groups', 'list']);
    expect(listed.stdout).toContain(`${group}\tStable\tconsumer\t`);
    member.child.kill('SIGINT');
    expect(await member.done).toMatchObject({ code: 0, stderr: 'Processed a total of 1 message\n' });
    const lag = await admin.groupLag(group);
    expect(lag.partitions.find((p) => p.partition === 0)).toMatchObject({ committedOffset: 3n, lag: 0n });

    const dryRun = await run(['groups', 'reset-offsets', group, '--to-earliest', '--topic', `${topic}:0`]);
    expect(dryRun).toMatchObject({ code: 0, stdout: `${group}\t${topic}\t0\t3\t0\n`, stderr: 'Dry run: nothing was committed; add --execute to commit these offsets.\n' });
    expect((await admin.groupLag(group)).partitions.find((p) => p.partition === 0)?.committedOffset).toBe(3n);
    const executed = await run(['groups', 'reset-offsets', group, '--to-offset', '1', '--topic', topic, '--execute', '--json']);
    expect(JSON.parse(executed.stdout)).toEqual([
      expect.objectContaining({ partition: 0, currentOffset: 3, newOffset: 1 }),
      expect.objectContaining({ partition: 1, newOffset: 0 }),
    ]);
    const resumed = await run(['consume', topic, '--group', group, '--max-messages', '2']);
    expect(resumed.stdout).toBe('b\nc\n');

    expect(await run(['groups', 'delete', group])).toMatchObject({ code: 0, stdout: `Deleted group ${group}.\n` });
    const gone = await run(['groups', 'describe', group]);
    expect(gone).toMatchObject({ code: 1, stderr: `kstream: group "${group}" does not exist\n` });
  });
});
