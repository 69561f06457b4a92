// Stopping the node and starting it again on the same data dir keeps every
// topic, config and record, the low watermark a DeleteRecords moved, and a
// topic deleted before the stop stays deleted: with the controller's metadata
// log as it was written, and compacted to a snapshot after every change.
import { CompressionTypes, ConfigResourceTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerConfigs, CompatCluster, topicName } from './compat-cluster.test-support.js';
import { readTopic } from './topic-reader.test-support.js';
import type { StoredRecord } from './topic-reader.test-support.js';

const metadataLogs: ReadonlyArray<{ readonly log: string; readonly config?: BrokerConfigs }> = [
  { log: 'the metadata log as written' },
  // A byte: compaction is due whenever more was appended than the last snapshot holds.
  { log: 'the metadata log compacted as it goes', config: { 'metadata.log.max.record.bytes.between.snapshots': '1' } },
];

describe.each(metadataLogs)('restart on the same data dir, $log', ({ config }) => {
  let node: CompatCluster;
  const keyed = topicName('kept-keyed');
  const compressed = topicName('kept-gzip');
  const deleted = topicName('kept-deleted');
  let before: { keyed: Map<number, StoredRecord[]>; compressed: Map<number, StoredRecord[]> };

  beforeAll(async () => {
    node = await CompatCluster.start('restart', config);
    const admin = await node.admin();
    await admin.createTopics({
      topics: [
        { topic: keyed, numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] },
        { topic: compressed, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'segment.bytes', value: '1048576' }] },
        { topic: deleted, numPartitions: 1, replicationFactor: 1 },
      ],
    });
    const producer = await node.producer();
    for (let round = 0; round < 3; round++) {
      await producer.send({
        topic: keyed,
        messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `round ${round} #${i}`, headers: { round: String(round) } })),
      });
    }
    // Recent timestamps: records older than retention.ms would be the retention checker's to delete.
    const stamped = Date.now() - 60_000;
    await producer.send({
      topic: compressed,
      compression: CompressionTypes.GZIP,
      messages: Array.from({ length: 50 }, (_, i) => ({ value: `gzip ${i} ${'z'.repeat(i)}`, timestamp: String(stamped + i) })),
    });
    // kafkajs looks the partition's leader up in the metadata it already holds, before fetching any: make it hold this topic's.
    await admin.fetchTopicMetadata({ topics: [compressed] });
    await admin.deleteTopicRecords({ topic: compressed, partitions: [{ partition: 0, offset: '10' }] });
    await admin.deleteTopics({ topics: [deleted] });

    before = { keyed: await readTopic(node, keyed), compressed: await readTopic(node, compressed) };
    compactionsBefore = compactions(node);
    await node.restart();
  }, 60_000);

  let compactionsBefore = 0;

  it(`compacts the metadata log ${config === undefined ? 'never' : 'as it goes'}`, () => {
    if (config === undefined) expect(compactions(node)).toBe(0);
    else expect(compactionsBefore).toBeGreaterThanOrEqual(2);
  });

  afterAll(async () => {
    await node?.stop();
  });

  it('keepsTopics: the live ones listed, the deleted one not', async () => {
    const admin = await node.admin();
    const topics = await admin.listTopics();
    expect(topics).toEqual(expect.arrayContaining([keyed, compressed]));
    expect(topics).not.toContain(deleted);
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [keyed, compressed] });
    expect(metadata.map((t) => [t.name, t.partitions.length]).sort()).toEqual(
      [
        [keyed, 3],
        [compressed, 1],
      ].sort(),
    );
  }, 30_000);

  it('keepsConfigs set at creation', async () => {
    const admin = await node.admin();
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: keyed, configNames: ['retention.ms'] },
        { type: ConfigResourceTypes.TOPIC, name: compressed, configNames: ['segment.bytes'] },
      ],
    });
    const values = described.resources.map((r) => [r.resourceName, r.configEntries.map((e) => [e.configName, e.configValue, e.isDefault])]);
    expect(values).toEqual(
      expect.arrayContaining([
        [keyed, [['retention.ms', '3600000', false]]],
        [compressed, [['segment.bytes', '1048576', false]]],
      ]),
    );
  }, 30_000);

  it('keepsEveryRecord and the offsets around them', async () => {
    expect(before.keyed.size).toBe(3);
    expect([...before.keyed.values()].flat()).toHaveLength(60);
    expect(await readTopic(node, keyed)).toEqual(before.keyed);
    expect(await readTopic(node, compressed)).toEqual(before.compressed);

    const admin = await node.admin();
    const offsets = await admin.fetchTopicOffsets(keyed);
    expect(offsets.map((o) => Number(o.high)).reduce((a, b) => a + b, 0)).toBe(60);
    expect(await admin.fetchTopicOffsets(compressed)).toEqual([{ partition: 0, offset: '50', high: '50', low: '10' }]);
  }, 30_000);

  it('continuesOffsets: a record produced after the restart follows the last one', async () => {
    const producer = await node.producer();
    const [sent] = await producer.send({ topic: compressed, messages: [{ value: 'after restart' }] });
    expect(sent).toMatchObject({ partition: 0, baseOffset: '50' });
    const records = (await readTopic(node, compressed)).get(0)!;
    expect(records.at(-1)).toMatchObject({ offset: 50n, value: 'after restart' });
  }, 30_000);
});

function compactions(node: CompatCluster): number {
  return node.logs.lines.filter((line) => line.includes('compacted the metadata log')).length;
}
