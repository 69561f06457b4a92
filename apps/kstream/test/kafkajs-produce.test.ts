// kafkajs 2.2.4's producer and offset lookups: keyed records land where
// murmur2 (the Java client's partitioner) says, and the offsets admin reads
// back (earliest, latest, by timestamp) are the ones produced.
import { partitionForKey } from '@kstream/partitioner';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { readTopic } from './topic-reader.test-support.js';

describe('kafkajs producer', () => {
  let node: CompatCluster;
  let admin: Admin;

  beforeAll(async () => {
    node = await CompatCluster.start('kafkajs-produce');
    admin = await node.admin();
  });

  afterAll(async () => {
    await node?.stop();
  });

  it('keyedRecordsFollowMurmur2: each key lands on the partition the Java client would pick', async () => {
    const topic = topicName('keyed');
    await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 1 }] });
    const keys = Array.from({ length: 120 }, (_, i) => `customer-${i * 7919}`);
    const producer = await node.producer();
    await producer.send({ topic, messages: keys.map((key, i) => ({ key, value: `order ${i}` })) });

    const expected = new Map<number, string[]>();
    for (const key of keys) {
      const partition = partitionForKey(key, 6);
      expected.set(partition, [...(expected.get(partition) ?? []), key]);
    }
    expect(expected.size, 'the keys cover every partition').toBe(6);

    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.sort((a, b) => a.partition - b.partition).map((o) => [o.partition, o.low, o.high])).toEqual(
      [0, 1, 2, 3, 4, 5].map((p) => [p, '0', String(expected.get(p)!.length)]),
    );

    const stored = await readTopic(node, topic);
    for (const [partition, partitionKeys] of expected) {
      expect(
        stored.get(partition)?.map((r) => r.key),
        `keys in partition ${partition}`,
      ).toEqual(partitionKeys);
      expect(stored.get(partition)?.map((r) => r.offset)).toEqual(partitionKeys.map((_, i) => BigInt(i)));
    }
  }, 45_000);

  it('fetchTopicOffsets: low 0 and high the record count per partition, across several sends', async () => {
    const topic = topicName('counted');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });
    expect((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, o.low, o.high]).sort()).toEqual([
      [0, '0', '0'],
      [1, '0', '0'],
      [2, '0', '0'],
    ]);
    const producer = await node.producer();
    for (let round = 0; round < 3; round++) {
      await producer.send({
        topic,
        messages: [
          { value: `p0 r${round}`, partition: 0 },
          { value: `p2 r${round} a`, partition: 2 },
          { value: `p2 r${round} b`, partition: 2 },
        ],
      });
    }
    expect((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, o.low, o.high, o.offset]).sort()).toEqual([
      [0, '0', '3', '3'],
      [1, '0', '0', '0'],
      [2, '0', '6', '6'],
    ]);
  }, 30_000);

  it('fetchTopicOffsetsByTimestamp: the first offset at or after the time; the high watermark past the last', async () => {
    const topic = topicName('timed');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    const producer = await node.producer();
    const base = 1_700_000_000_000;
    // Two sends, so the lookup has to find the right batch, not only the right record inside one.
    await producer.send({ topic, messages: [0, 1, 2].map((i) => ({ value: `t${i}`, timestamp: String(base + i * 1000) })) });
    await producer.send({ topic, messages: [3, 4, 5].map((i) => ({ value: `t${i}`, timestamp: String(base + i * 1000) })) });

    const at = async (timestamp: number) => (await admin.fetchTopicOffsetsByTimestamp(topic, timestamp))[0]?.offset;
    expect(await at(base - 1)).toBe('0');
    expect(await at(base)).toBe('0');
    expect(await at(base + 1)).toBe('1');
    expect(await at(base + 2000)).toBe('2');
    expect(await at(base + 2500)).toBe('3');
    expect(await at(base + 5000)).toBe('5');
    // Kafka answers -1 when no record is that recent; kafkajs turns that into the high watermark.
    expect(await at(base + 5001)).toBe('6');

    const stored = await readTopic(node, topic);
    expect(stored.get(0)?.map((r) => [r.value, r.timestamp])).toEqual([0, 1, 2, 3, 4, 5].map((i) => [`t${i}`, BigInt(base + i * 1000)]));
  }, 30_000);

  it('acksZero: a fire-and-forget send still lands, and the connection keeps serving what follows', async () => {
    const topic = topicName('acks0');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    const producer = await node.producer();
    await producer.send({ topic, acks: 0, messages: [{ value: 'unacknowledged' }] });
    await producer.send({ topic, acks: 1, messages: [{ value: 'acknowledged' }] });
    const stored = await readTopic(node, topic);
    expect(stored.get(0)?.map((r) => r.value)).toEqual(['unacknowledged', 'acknowledged']);
  }, 30_000);
});
