// kcat (librdkafka 2) against a 3-broker cluster: the metadata it sees, and
// a topic it creates by producing to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { kcatConsume, kcatMetadata, kcatMissing, kcatProduce } from './kcat.test-support.js';

describe.skipIf(kcatMissing !== null)('kcat metadata', () => {
  let node: CompatCluster;

  beforeAll(async () => {
    node = await CompatCluster.start('kcat-metadata', { 'num.partitions': '2' });
  });

  afterAll(async () => {
    await node?.stop();
  });

  it('listsThreeBrokers with their ids and listener addresses', async () => {
    const metadata = await kcatMetadata(node.bootstrap);
    expect(metadata.brokers.map((b) => [b.id, b.name]).sort()).toEqual(node.cluster.brokers.map((b) => [b.id, `${b.host}:${b.port}`]));
  }, 30_000);

  it('listsTopicPartitions: one leader per partition, spread over the brokers, replicas and ISR the leader alone', async () => {
    const topic = topicName('kcat-listed');
    const admin = await node.admin();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });

    const metadata = await kcatMetadata(node.bootstrap, ['-t', topic]);
    const listed = metadata.topics.find((t) => t.topic === topic);
    expect(listed, `kcat -L -t ${topic}`).toBeDefined();
    expect(listed!.error).toBeUndefined();
    const partitions = [...listed!.partitions].sort((a, b) => a.partition - b.partition);
    expect(partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    for (const p of partitions) {
      expect(p.error, `partition ${p.partition}`).toBeUndefined();
      expect(p.replicas.map((r) => r.id)).toEqual([p.leader]);
      expect(p.isrs.map((r) => r.id)).toEqual([p.leader]);
    }
    expect(partitions.map((p) => p.leader).sort()).toEqual([1, 2, 3]);
  }, 30_000);

  it('listsAllTopics without -t, the new one among them', async () => {
    const topic = topicName('kcat-all');
    const admin = await node.admin();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    const metadata = await kcatMetadata(node.bootstrap);
    expect(metadata.topics.map((t) => t.topic)).toContain(topic);
  }, 30_000);

  it('autoCreatesTopicOnProduce with num.partitions partitions, and the records are there', async () => {
    const topic = topicName('kcat-auto');
    await kcatProduce(node.bootstrap, topic, ['one', 'two', 'three']);

    const metadata = await kcatMetadata(node.bootstrap, ['-t', topic]);
    const created = metadata.topics.find((t) => t.topic === topic);
    expect(created?.error).toBeUndefined();
    expect(created?.partitions.map((p) => p.partition).sort()).toEqual([0, 1]);

    const records = await kcatConsume(node.bootstrap, topic);
    expect(records.map((r) => r.value).sort()).toEqual(['one', 'three', 'two']);
  }, 45_000);
});
