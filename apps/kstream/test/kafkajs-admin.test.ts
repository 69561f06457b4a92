// kafkajs 2.2.4's admin client against a 3-broker cluster: topics created
// with configs, described, altered, grown, trimmed and deleted, as a user's
// tooling would do it against Kafka.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigResourceTypes, ConfigSource } from 'kafkajs';
import type { Admin, ConfigEntries } from 'kafkajs';
import { decodeRecordBatches } from '@kstream/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/cluster.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { expectKafkaError } from './kafkajs-errors.test-support.js';
import { errorName } from './raw-connection.test-support.js';
import { fetchPartition } from './raw-requests.test-support.js';
import { connectToLeader } from './topic-reader.test-support.js';

describe('kafkajs admin', () => {
  let node: CompatCluster;
  let admin: Admin;

  beforeAll(async () => {
    node = await CompatCluster.start('kafkajs-admin', { 'num.partitions': '3' });
    admin = await node.admin();
  });

  afterAll(async () => {
    await node?.stop();
  });

  async function topicConfigs(topic: string, configNames?: string[]): Promise<Map<string, ConfigEntries>> {
    const described = await admin.describeConfigs({
      includeSynonyms: true,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, ...(configNames ? { configNames } : {}) }],
    });
    const [resource] = described.resources;
    expect(resource?.errorCode, `DescribeConfigs of topic ${topic}: ${resource?.errorMessage}`).toBe(0);
    return new Map(resource!.configEntries.map((e) => [e.configName, e]));
  }

  it('createTopicsHundredMillionPartitions: INVALID_PARTITIONS at once; the controller heap unchanged, the node still answering', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    // kafkajs asks CreateTopics v0, which has no error message: the broker's tests pin the message naming the limit.
    await expectKafkaError(admin.createTopics({ topics: [{ topic: topicName('huge'), numPartitions: 100_000_000, replicationFactor: 1 }] }), 'INVALID_PARTITIONS');
    expect(performance.now() - started).toBeLessThan(5_000);
    // The controller runs on this thread (startCluster): it built nothing for the request.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100 * 1024 * 1024);
    const description = await node.cluster.control.describe();
    expect(description).toBeDefined();
    expect(await admin.createTopics({ topics: [{ topic: topicName('after-huge'), numPartitions: 2, replicationFactor: 1 }] })).toBe(true);
  });

  it('createWithConfigs: describeConfigs shows the set values as TOPIC_CONFIG and the rest as defaults', async () => {
    const topic = topicName('configured');
    const created = await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 2,
          replicationFactor: 1,
          configEntries: [
            { name: 'retention.ms', value: '3600000' },
            { name: 'max.message.bytes', value: '2048' },
          ],
        },
      ],
    });
    expect(created).toBe(true);

    const configs = await topicConfigs(topic);
    expect(configs.get('retention.ms')).toMatchObject({ configValue: '3600000', isDefault: false, configSource: ConfigSource.TOPIC_CONFIG });
    expect(configs.get('max.message.bytes')).toMatchObject({ configValue: '2048', isDefault: false, configSource: ConfigSource.TOPIC_CONFIG });
    expect(configs.get('segment.bytes')).toMatchObject({ configValue: '1073741824', isDefault: true, configSource: ConfigSource.DEFAULT_CONFIG });
    expect(configs.get('cleanup.policy')).toMatchObject({ configValue: 'delete', isDefault: true });
    for (const key of ['retention.bytes', 'segment.ms', 'min.insync.replicas', 'compression.type', 'message.timestamp.type']) {
      expect(configs.has(key), `DescribeConfigs of a topic lists ${key}`).toBe(true);
    }
    // The broker-level synonym a topic value overrides, as Kafka lists it.
    const synonyms = configs.get('retention.ms')!.configSynonyms;
    expect(synonyms[0]).toMatchObject({ configName: 'retention.ms', configValue: '3600000', configSource: ConfigSource.TOPIC_CONFIG });
    expect(synonyms.some((s) => s.configName.startsWith('log.retention.'))).toBe(true);
  }, 30_000);

  it('describeSelectedConfigs: only the names asked for', async () => {
    const topic = topicName('selected');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    const configs = await topicConfigs(topic, ['retention.ms', 'cleanup.policy']);
    expect([...configs.keys()].sort()).toEqual(['cleanup.policy', 'retention.ms']);
    expect(configs.get('retention.ms')?.configValue).toBe('604800000');
  }, 30_000);

  it('describeBrokerConfigs: a config given at start shows as STATIC_BROKER_CONFIG', async () => {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: ['num.partitions'] }],
    });
    const [resource] = described.resources;
    expect(resource?.errorCode).toBe(0);
    expect(resource?.configEntries.find((e) => e.configName === 'num.partitions')).toMatchObject({
      configValue: '3',
      configSource: ConfigSource.STATIC_BROKER_CONFIG,
    });
  }, 30_000);

  it('brokerDefaultsForMinusOne: a topic created without counts gets num.partitions partitions', async () => {
    const topic = topicName('defaults');
    await admin.createTopics({ topics: [{ topic }] });
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
  }, 30_000);

  it('alterConfigsReplacesTheSet: the named value changes, an unnamed one goes back to its default; validateOnly writes nothing', async () => {
    const topic = topicName('altered');
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 1,
          replicationFactor: 1,
          configEntries: [
            { name: 'retention.ms', value: '3600000' },
            { name: 'max.message.bytes', value: '2048' },
          ],
        },
      ],
    });

    await admin.alterConfigs({
      validateOnly: true,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: '1000' }] }],
    });
    expect((await topicConfigs(topic, ['retention.ms'])).get('retention.ms')?.configValue).toBe('3600000');

    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: '7200000' }] }],
    });
    const configs = await topicConfigs(topic, ['retention.ms', 'max.message.bytes']);
    expect(configs.get('retention.ms')).toMatchObject({ configValue: '7200000', configSource: ConfigSource.TOPIC_CONFIG });
    expect(configs.get('max.message.bytes')).toMatchObject({ configValue: '1048588', isDefault: true });
  }, 30_000);

  it('invalidConfigRefused: INVALID_CONFIG on create (no topic made) and on alter (nothing changed)', async () => {
    const topic = topicName('badconfig');
    await expectKafkaError(
      admin.createTopics({
        topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'sometimes' }] }],
      }),
      'INVALID_CONFIG',
    );
    expect(await admin.listTopics()).not.toContain(topic);

    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    await expectKafkaError(
      admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: 'a week' }] }],
      }),
      'INVALID_CONFIG',
    );
    expect((await topicConfigs(topic, ['retention.ms'])).get('retention.ms')?.isDefault).toBe(true);
  }, 30_000);

  it('createExisting: kafkajs reports false for TOPIC_ALREADY_EXISTS and the topic keeps its partitions', async () => {
    const topic = topicName('twice');
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }] })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 1 }] })).toBe(false);
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics[0]?.partitions).toHaveLength(2);
  }, 30_000);

  it('invalidCreateRequests: replication factor above the broker count, zero partitions, a bad name', async () => {
    await expectKafkaError(admin.createTopics({ topics: [{ topic: topicName('rf4'), numPartitions: 1, replicationFactor: 4 }] }), 'INVALID_REPLICATION_FACTOR');
    await expectKafkaError(admin.createTopics({ topics: [{ topic: topicName('p0'), numPartitions: 0, replicationFactor: 1 }] }), 'INVALID_PARTITIONS');
    await expectKafkaError(admin.createTopics({ topics: [{ topic: 'bad/name', numPartitions: 1, replicationFactor: 1 }] }), 'INVALID_TOPIC_EXCEPTION');
  }, 30_000);

  it('fetchTopicMetadata: every partition has a leader, RF1 replicas and ISR, and six partitions spread two per broker', async () => {
    const topic = topicName('spread');
    await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 1 }] });
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics).toHaveLength(1);
    const partitions = [...topics[0]!.partitions].sort((a, b) => a.partitionId - b.partitionId);
    expect(partitions.map((p) => p.partitionId)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const p of partitions) {
      expect(p.partitionErrorCode, `partition ${p.partitionId}`).toBe(0);
      expect([1, 2, 3]).toContain(p.leader);
      expect(p.replicas).toEqual([p.leader]);
      expect(p.isr).toEqual([p.leader]);
    }
    const perBroker = [1, 2, 3].map((id) => partitions.filter((p) => p.leader === id).length);
    expect(perBroker).toEqual([2, 2, 2]);
  }, 30_000);

  it('createPartitions: grows 2 to 5, the new partitions take records; shrinking is INVALID_PARTITIONS', async () => {
    const topic = topicName('grown');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }] });
    // kafkajs 2.2.4 resolves createPartitions with undefined, whatever its typings say.
    await admin.createPartitions({ topicPartitions: [{ topic, count: 5 }] });

    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = [...topics[0]!.partitions].sort((a, b) => a.partitionId - b.partitionId);
    expect(partitions.map((p) => [p.partitionId, p.partitionErrorCode])).toEqual([0, 1, 2, 3, 4].map((i) => [i, 0]));
    for (const p of partitions) expect([1, 2, 3]).toContain(p.leader);

    const producer = await node.producer();
    await producer.send({ topic, messages: [{ value: 'to the new partition', partition: 4 }] });
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.find((o) => o.partition === 4)).toMatchObject({ low: '0', high: '1' });

    await expectKafkaError(admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] }), 'INVALID_PARTITIONS');
  }, 30_000);

  it('deleteTopicRecords: the low watermark moves to the offset given and reads below it are OFFSET_OUT_OF_RANGE', async () => {
    const topic = topicName('trimmed');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    const producer = await node.producer();
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `record ${i}` })) });

    // kafkajs looks the partition's leader up in the metadata it already holds, before fetching any: make it hold this topic's.
    await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '6' }] });
    expect(await admin.fetchTopicOffsets(topic)).toEqual([{ partition: 0, offset: '10', high: '10', low: '6' }]);

    const conn = await connectToLeader(node, topic, 0);
    try {
      const below = await fetchPartition(conn, topic, 0, 2n);
      expect(errorName(below.errorCode)).toBe('OFFSET_OUT_OF_RANGE');
      const from = await fetchPartition(conn, topic, 0, 6n);
      expect(errorName(from.errorCode)).toBe('NONE');
      expect(from.logStartOffset).toBe(6n);
      const values = (await decodeRecordBatches(from.records ?? Buffer.alloc(0))).flatMap((b) =>
        b.records.map((r) => [b.header.baseOffset + BigInt(r.offsetDelta), r.value?.toString()]),
      );
      // A fetch may start at the batch holding offset 6; the records before it are not part of the log any more.
      expect(values.filter(([offset]) => (offset as bigint) >= 6n)).toEqual([6n, 7n, 8n, 9n].map((o) => [o, `record ${o}`]));
    } finally {
      conn.close();
    }
  }, 30_000);

  it('deleteTopics: gone from the topic list and from every broker disk; the name can be created again, empty', async () => {
    const topic = topicName('deleted');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });
    const producer = await node.producer();
    await producer.send({
      topic,
      messages: [
        { key: 'a', value: '1' },
        { key: 'b', value: '2' },
        { key: 'c', value: '3' },
      ],
    });
    const partitionDirs = [1, 2, 3].flatMap((id) => [0, 1, 2].map((p) => join(node.dataDir, `broker-${id}`, `${topic}-${p}`)));
    expect(partitionDirs.filter((dir) => existsSync(dir))).toHaveLength(3);

    await admin.deleteTopics({ topics: [topic] });
    expect(await admin.listTopics()).not.toContain(topic);
    await waitFor(`${topic}'s partition directories to go`, () => partitionDirs.every((dir) => !existsSync(dir)));

    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    expect(await admin.fetchTopicOffsets(topic)).toEqual([{ partition: 0, offset: '0', high: '0', low: '0' }]);
  }, 30_000);

  it('deleteUnknownTopic: UNKNOWN_TOPIC_OR_PARTITION', async () => {
    await expectKafkaError(admin.deleteTopics({ topics: [topicName('never-created')] }), 'UNKNOWN_TOPIC_OR_PARTITION');
  }, 30_000);
});
