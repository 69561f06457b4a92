// @kstream/client's Admin against a 3-broker node: topics (create with
// counts, replica assignments, configs and validateOnly; list; describe;
// grow; delete), configs (described with sources and synonyms, changed
// incrementally), the cluster, offsets by every spec and records deleted —
// with Kafka's errors, per item, where a call is refused.
import type { Admin } from '@kstream/client';
import { KafkaConfigError } from '@kstream/client';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { batchFailure, clientAdmin, waitForDescribed } from './client-admin.test-support.js';

describe('@kstream/client Admin: topics, configs, cluster, offsets', () => {
  let node: CompatCluster;
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    node = await CompatCluster.start('client-admin', { 'num.partitions': '2' });
    admin = await clientAdmin(node);
    producer = await node.producer();
  });

  afterAll(async () => {
    await admin?.close();
    await node?.stop();
  });

  it('createDescribeListDelete: what was asked is what describeTopics shows; a deleted topic is gone and then unknown', async () => {
    const [replicated, defaulted] = [topicName('replicated'), topicName('defaulted')];
    const created = await admin.createTopics([{ topic: replicated, numPartitions: 3, replicationFactor: 3, configs: { 'retention.ms': '3600000' } }, { topic: defaulted }]);
    expect(created.map((t) => [t.topic, t.numPartitions, t.replicationFactor])).toEqual([
      [replicated, 3, 3],
      [defaulted, 2, 1],
    ]);
    expect(created[0]!.topicId).toMatch(/[0-9a-f-]{36}/);
    expect(created[0]!.configs?.find((c) => c.name === 'retention.ms')).toMatchObject({ value: '3600000', source: 'TOPIC_CONFIG' });

    expect(await admin.listTopics()).toEqual(expect.arrayContaining([replicated, defaulted]));
    for (const partition of [0, 1, 2]) await waitForDescribed(admin, replicated, partition, 'every replica in the ISR', (p) => p.isr.length === 3);
    const [described] = await admin.describeTopics([replicated], { includeConfigs: true });
    expect(described).toMatchObject({ topic: replicated, topicId: created[0]!.topicId, isInternal: false });
    expect(described!.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    for (const p of described!.partitions) {
      expect([...p.replicas].sort()).toEqual([1, 2, 3]);
      expect(p.replicas).toContain(p.leader);
      expect(p.offline).toEqual([]);
      expect(p.leaderEpoch).toBeGreaterThanOrEqual(0);
    }
    expect(described!.configs?.find((c) => c.name === 'retention.ms')?.value).toBe('3600000');

    await admin.deleteTopics([replicated, defaulted]);
    expect(await admin.listTopics()).not.toEqual(expect.arrayContaining([replicated]));
    const unknown = await batchFailure(admin.describeTopics([replicated]));
    expect(unknown.failed).toEqual([[replicated, 'UNKNOWN_TOPIC_OR_PARTITION']]);
    expect((await batchFailure(admin.deleteTopics([defaulted]))).failed).toEqual([[defaulted, 'UNKNOWN_TOPIC_OR_PARTITION']]);
  }, 30_000);

  it('createExistingTopic: TOPIC_ALREADY_EXISTS for that topic alone; the other one of the batch is created', async () => {
    const [existing, fresh] = [topicName('existing'), topicName('fresh')];
    await admin.createTopics([{ topic: existing, numPartitions: 1 }]);
    const { failed, error } = await batchFailure(
      admin.createTopics([
        { topic: existing, numPartitions: 4 },
        { topic: fresh, numPartitions: 1 },
      ]),
    );
    expect(failed).toEqual([[existing, 'TOPIC_ALREADY_EXISTS']]);
    expect(error.failures[0]!.error.message).toContain(existing);
    expect(error.retriable).toBe(false);
    expect(error.succeeded).toMatchObject([{ topic: fresh, numPartitions: 1 }]);
    const [kept] = await admin.describeTopics([existing]);
    expect(kept!.partitions).toHaveLength(1);
  });

  it('absurdCountsRefused: Kafka errors for a hundred million partitions, a replication factor above the brokers and a shrink', async () => {
    const [huge, wide, grown] = [topicName('huge'), topicName('wide'), topicName('grown')];
    const started = performance.now();
    const refused = await batchFailure(
      admin.createTopics([
        { topic: huge, numPartitions: 100_000_000, replicationFactor: 1 },
        { topic: wide, numPartitions: 1, replicationFactor: 4 },
      ]),
    );
    expect(refused.failed).toEqual([
      [huge, 'INVALID_PARTITIONS'],
      [wide, 'INVALID_REPLICATION_FACTOR'],
    ]);
    expect(performance.now() - started, 'refusals are answers, not retried').toBeLessThan(5_000);

    await admin.createTopics([{ topic: grown, numPartitions: 2 }]);
    await admin.createPartitions([{ topic: grown, count: 4 }]);
    const [described] = await admin.describeTopics([grown]);
    expect(described!.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
    expect((await batchFailure(admin.createPartitions([{ topic: grown, count: 3 }]))).failed).toEqual([[grown, 'INVALID_PARTITIONS']]);
    expect((await batchFailure(admin.createPartitions([{ topic: grown, count: 1_000_000_000 }]))).failed).toEqual([[grown, 'INVALID_PARTITIONS']]);
  }, 30_000);

  it('validateOnlyAndReplicaAssignment: a validated topic is not created; an assigned one has its replicas in order', async () => {
    const [validated, assigned] = [topicName('validated'), topicName('assigned')];
    const [checked] = await admin.createTopics([{ topic: validated, numPartitions: 2, replicationFactor: 2 }], { validateOnly: true });
    expect(checked).toMatchObject({ topic: validated, numPartitions: 2, replicationFactor: 2 });
    expect(await admin.listTopics()).not.toContain(validated);

    await admin.createTopics([
      {
        topic: assigned,
        replicaAssignment: [
          [3, 1],
          [2, 3],
        ],
      },
    ]);
    const [described] = await admin.describeTopics([assigned]);
    expect(described!.partitions.map((p) => p.replicas)).toEqual([
      [3, 1],
      [2, 3],
    ]);
    await expect(admin.createTopics([{ topic: assigned, numPartitions: 2, replicaAssignment: [[1]] }])).rejects.toBeInstanceOf(KafkaConfigError);
  });

  it('configsIncrementally: set, delete back to the default, append and subtract list items; sources and synonyms described', async () => {
    const topic = topicName('configured');
    await admin.createTopics([{ topic, numPartitions: 1, configs: { 'cleanup.policy': 'delete' } }]);
    const resource = { type: 'topic', name: topic } as const;
    const entry = async (name: string) => {
      const [described] = await admin.describeConfigs([{ ...resource, configNames: [name] }], { includeSynonyms: true });
      expect(described!.configs.map((c) => c.name)).toEqual([name]);
      return described!.configs[0]!;
    };

    await admin.alterConfigs([{ resource, operations: [{ name: 'retention.ms', op: 'set', value: '60000' }] }]);
    const set = await entry('retention.ms');
    expect(set).toMatchObject({ value: '60000', source: 'TOPIC_CONFIG', isDefault: false, readOnly: false, sensitive: false });
    expect(set.synonyms[0]).toEqual({ name: 'retention.ms', value: '60000', source: 'TOPIC_CONFIG' });
    expect(set.synonyms.map((s) => s.source)).toContain('DEFAULT_CONFIG');

    await admin.alterConfigs([{ resource, operations: [{ name: 'retention.ms', op: 'delete' }] }]);
    expect(await entry('retention.ms')).toMatchObject({ value: '604800000', source: 'DEFAULT_CONFIG', isDefault: true });

    await admin.alterConfigs([{ resource, operations: [{ name: 'cleanup.policy', op: 'append', value: 'compact' }] }]);
    expect((await entry('cleanup.policy')).value).toBe('delete,compact');
    await admin.alterConfigs([{ resource, operations: [{ name: 'cleanup.policy', op: 'subtract', value: 'delete' }] }]);
    expect((await entry('cleanup.policy')).value).toBe('compact');

    await admin.alterConfigs([{ resource, operations: [{ name: 'retention.ms', op: 'set', value: '1' }] }], { validateOnly: true });
    expect((await entry('retention.ms')).value).toBe('604800000');
    const invalid = await batchFailure(admin.alterConfigs([{ resource, operations: [{ name: 'retention.ms', op: 'set', value: 'soon' }] }]));
    expect(invalid.failed).toEqual([[`topic ${topic}`, 'INVALID_CONFIG']]);

    const [broker] = await admin.describeConfigs([{ type: 'broker', name: '2', configNames: ['num.partitions'] }]);
    expect(broker!.configs).toMatchObject([{ name: 'num.partitions', value: '2', source: 'STATIC_BROKER_CONFIG' }]);
    const missing = topicName('missing');
    expect((await batchFailure(admin.describeConfigs([{ type: 'topic', name: missing }]))).failed).toEqual([[`topic ${missing}`, 'UNKNOWN_TOPIC_OR_PARTITION']]);
  }, 30_000);

  it('describeCluster: the three brokers at their ports, the controller among them, the node cluster id', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers.map((b) => [b.nodeId, b.host, b.port])).toEqual([1, 2, 3].map((id) => [id, '127.0.0.1', node.port(id)]));
    expect(cluster.brokers).toContainEqual(cluster.controller);
    expect(cluster.clusterId).toBe((await node.cluster.control.describe()).clusterId);
  });

  it('listOffsetsAndDeleteRecords: earliest, latest, by time and max time; deleting records moves earliest to the low watermark', async () => {
    const topic = topicName('offsets');
    await admin.createTopics([{ topic, numPartitions: 2, replicationFactor: 2 }]);
    const base = Date.now() - 60_000;
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `record ${i}`, timestamp: String(base + i * 1000) })) });
    const p0 = { topic, partition: 0 };

    const listed = await admin.listOffsets([
      { ...p0, spec: 'earliest' },
      { ...p0, spec: 'latest' },
      { ...p0, spec: 'maxTimestamp' },
      { ...p0, spec: { timestamp: base + 3500 } },
      { ...p0, spec: { timestamp: base + 60_000 } },
      { topic, partition: 1, spec: 'latest' },
    ]);
    expect(listed.map((l) => [l.offset, l.timestamp])).toEqual([
      [0n, -1],
      [10n, -1],
      [9n, base + 9000],
      [4n, base + 4000],
      [-1n, -1],
      [0n, -1],
    ]);

    expect(await admin.deleteRecords([{ ...p0, before: 4n }])).toEqual([{ ...p0, lowWatermark: 4n }]);
    expect((await admin.listOffsets([{ ...p0, spec: 'earliest' }]))[0]!.offset).toBe(4n);
    expect(await admin.deleteRecords([{ ...p0, before: 'highWatermark' }])).toEqual([{ ...p0, lowWatermark: 10n }]);
    expect((await admin.listOffsets([{ ...p0, spec: 'earliest' }]))[0]!.offset).toBe(10n);

    const started = performance.now();
    const refused = await batchFailure(
      admin.deleteRecords([
        { ...p0, before: 11n },
        { topic, partition: 7, before: 1n },
        { topic: topicName('nowhere'), partition: 0, before: 1n },
        { topic, partition: 1, before: 0n },
      ]),
    );
    expect(refused.failed.map(([, name]) => name)).toEqual(['OFFSET_OUT_OF_RANGE', 'UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_OR_PARTITION']);
    expect(refused.failed[1]![0]).toBe(`${topic}-7`);
    expect(refused.error.succeeded).toEqual([{ topic, partition: 1, lowWatermark: 0n }]);
    expect(performance.now() - started, 'unknown partitions are answers, not retried').toBeLessThan(5_000);
  }, 30_000);
});
