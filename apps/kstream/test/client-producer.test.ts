// @kstream/client's Producer against a 3-broker node: offsets and partitions
// resolved per record, keys where kafkajs (murmur2) puts them, every
// compression readable, acks 0/1/all, backpressure, flush, close, and the
// typed errors a user gets for an unknown topic or a bad option.
import { type KafkaClientError, KafkaClosedError, KafkaConfigError, KafkaRetriesExhaustedError, Producer, stringSerde, type ProducerOptions } from '@kstream/client';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { partitionLeaders, readTopic } from './topic-reader.test-support.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('client producer', () => {
  let node: CompatCluster;
  let admin: Admin;
  const producers: Producer<string, string>[] = [];

  beforeAll(async () => {
    node = await CompatCluster.start('client-producer');
    admin = await node.admin();
  });

  afterAll(async () => {
    await Promise.allSettled(producers.map((p) => p.close({ timeoutMs: 5_000 })));
    await node?.stop();
  });

  function producer(options: Partial<ProducerOptions<string, string>> = {}): Producer<string, string> {
    const p = new Producer<string, string>({ bootstrap: node.bootstrap, keySerializer: stringSerde, valueSerializer: stringSerde, logger: quiet, ...options });
    producers.push(p);
    return p;
  }

  async function createTopic(prefix: string, partitions: number, replicationFactor = 1): Promise<string> {
    const topic = topicName(prefix);
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor }], waitForLeaders: true });
    return topic;
  }

  it('singleAndManySendsResolveEachRecordsPartitionAndOffset', async () => {
    const topic = await createTopic('offsets', 3);
    const p = producer();
    const first = await p.send({ topic, value: 'one', partition: 1 });
    expect(first).toMatchObject({ topic, partition: 1, offset: 0n });
    const many = await p.send([
      { topic, value: 'two', partition: 1 },
      { topic, value: 'a', partition: 2 },
      { topic, value: 'three', partition: 1, timestamp: 1_700_000_000_000 },
      { topic, value: 'b', partition: 2, headers: { trace: 'x' } },
    ]);
    expect(many.map((m) => [m.partition, m.offset])).toEqual([
      [1, 1n],
      [2, 0n],
      [1, 2n],
      [2, 1n],
    ]);
    expect(many[2]!.timestamp).toBe(1_700_000_000_000);
    const stored = await readTopic(node, topic);
    expect(stored.get(1)?.map((r) => r.value)).toEqual(['one', 'two', 'three']);
    expect(stored.get(2)?.map((r) => [r.value, r.headers])).toEqual([
      ['a', {}],
      ['b', { trace: 'x' }],
    ]);
    expect(p.idempotent, 'kstream answers InitProducerId since issue 13: the producer is idempotent by default').toBe(true);
  }, 30_000);

  it('keyedRecordsLandWhereKafkajsPutsThem', async () => {
    const ours = await createTopic('keyed-ours', 6);
    const theirs = await createTopic('keyed-kafkajs', 6);
    const keys = Array.from({ length: 200 }, (_, i) => `user-${i * 104_729}`);
    const results = await producer().send(keys.map((key) => ({ topic: ours, key, value: key })));
    const kafkajs = await node.producer();
    await kafkajs.send({ topic: theirs, messages: keys.map((key) => ({ key, value: key })) });
    const where = (stored: Map<number, { key: string | null }[]>) => new Map([...stored].flatMap(([partition, records]) => records.map((r) => [r.key, partition] as const)));
    const kafkajsPartitions = where(await readTopic(node, theirs));
    const ourPartitions = where(await readTopic(node, ours));
    expect(new Set(kafkajsPartitions.values()).size, 'the keys cover every partition').toBe(6);
    for (const [i, key] of keys.entries()) {
      expect(ourPartitions.get(key), key).toBe(kafkajsPartitions.get(key));
      expect(results[i]!.partition, key).toBe(kafkajsPartitions.get(key));
    }
  }, 30_000);

  it.each(['gzip', 'snappy', 'lz4', 'zstd'] as const)(
    'compression %s is read back by a raw Fetch',
    async (compression) => {
      const topic = await createTopic(`compressed-${compression}`, 1);
      const values = Array.from({ length: 300 }, (_, i) => `${compression} record ${i} `.repeat(4));
      await producer({ compression }).send(values.map((value, i) => ({ topic, key: `k${i}`, value })));
      const stored = (await readTopic(node, topic)).get(0)!;
      expect(stored.map((r) => r.value)).toEqual(values);
      expect(stored.map((r) => r.offset)).toEqual(values.map((_, i) => BigInt(i)));
    },
    30_000,
  );

  it.each([0, 1, 'all'] as const)(
    'acks %s',
    async (acks) => {
      const topic = await createTopic(`acks-${acks}`, 2, 3);
      const p = producer({ acks, idempotent: false });
      const results = await p.send(Array.from({ length: 50 }, (_, i) => ({ topic, value: `v${i}`, partition: i % 2 })));
      if (acks === 0) {
        expect(
          results.every((r) => r.offset === -1n),
          'acks=0 gets no offsets, as Kafka reports -1',
        ).toBe(true);
        await expect.poll(async () => [...(await readTopic(node, topic)).values()].flat().length, { timeout: 10_000 }).toBe(50);
      } else {
        expect(results.filter((r) => r.partition === 0).map((r) => r.offset)).toEqual(Array.from({ length: 25 }, (_, i) => BigInt(i)));
        // The high watermark moves once the followers have the records; acks=1 does not wait for that.
        await expect.poll(async () => [...(await readTopic(node, topic)).values()].flat().length, { timeout: 10_000 }).toBe(50);
      }
    },
    30_000,
  );

  it('aSmallBufferMakesSendsWaitAndLosesNothing', async () => {
    const topic = await createTopic('backpressure', 3);
    const p = producer({ bufferMemory: 4_096, batchSize: 1_024, lingerMs: 1 });
    const value = 'x'.repeat(200);
    // ~4.6 MB offered at once through a 4 KiB buffer: most sends must wait their turn.
    const sends = Array.from({ length: 2_000 }, (_, i) => p.send({ topic, key: `k${i % 97}`, value }));
    const results = await Promise.all(sends);
    const stored = await readTopic(node, topic);
    expect([...stored.values()].flat()).toHaveLength(2_000);
    for (const [partition, records] of stored) {
      const offsets = results
        .filter((r) => r.partition === partition)
        .map((r) => r.offset)
        .sort((a, b) => (a < b ? -1 : 1));
      expect(offsets).toEqual(records.map((r) => r.offset));
    }
  }, 45_000);

  it('largeBatchesFromProducersAtOnceArriveIntact: ~1 MB requests read in several socket chunks (the broker reuses their buffers, and a buffer given back before its write fails this) keep every record, acks=all', async () => {
    const topic = await createTopic('large-batches', 4, 3);
    const senderCount = 6;
    const senders = Array.from({ length: senderCount }, () => producer({ acks: 'all', batchSize: 1_000_000, lingerMs: 5, bufferMemory: 64 * 1024 * 1024 }));
    // Each value is its own: a request whose bytes were overwritten by another's would show.
    const recordValue = (sender: number, i: number) => `${sender}:${i}:`.padEnd(16 * 1024, String.fromCharCode(97 + ((sender * 7 + i) % 26)));
    const perSender = 400;
    const results = await Promise.all(
      senders.map((p, sender) => Promise.all(Array.from({ length: perSender }, (_, i) => p.send({ topic, partition: i % 4, value: recordValue(sender, i) })))),
    );
    const stored = await readTopic(node, topic);
    const values = new Set([...stored.values()].flat().map((r) => r.value));
    expect(values.size).toBe(senderCount * perSender);
    for (let sender = 0; sender < senderCount; sender++) for (let i = 0; i < perSender; i++) expect(values.has(recordValue(sender, i)), `record ${sender}:${i}`).toBe(true);
    expect(results.flat()).toHaveLength(senderCount * perSender);
  }, 60_000);

  it('aSendFailsAfterMaxBlockMsWhileTheLeaderHoldsTheBuffer', async () => {
    const topic = await createTopic('blocked', 1);
    const leader = (await partitionLeaders(node, topic)).get(0)!;
    const p = producer({ bufferMemory: 1_000, maxBlockMs: 300 });
    await p.connect();
    await p.send({ topic, value: 'warm-up' });
    await node.cluster.control.pauseBroker(leader);
    let paused = true;
    try {
      const first = p.send({ topic, value: 'a'.repeat(900) });
      const started = Date.now();
      await expect(p.send({ topic, value: 'b'.repeat(500) })).rejects.toThrow(/bufferMemory \(1000 bytes\) within maxBlockMs \(300 ms\)/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      await node.cluster.control.resumeBroker(leader);
      paused = false;
      await expect(first).resolves.toMatchObject({ partition: 0 });
    } finally {
      if (paused) await node.cluster.control.resumeBroker(leader);
    }
  }, 30_000);

  it('flushSendsWithoutWaitingForLinger', async () => {
    const topic = await createTopic('flush', 1);
    const p = producer({ lingerMs: 60_000 });
    await p.connect();
    const sent = p.send([{ topic, value: 'lingering' }]);
    const started = Date.now();
    await p.flush();
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect(sent).resolves.toEqual([expect.objectContaining({ offset: 0n })]);
  }, 30_000);

  it('closeSendsWhatIsQueuedThenRefusesSends', async () => {
    const topic = await createTopic('close', 1);
    const p = producer({ lingerMs: 60_000 });
    await p.connect();
    const sent = p.send({ topic, value: 'before close' });
    await p.close();
    await expect(sent).resolves.toMatchObject({ offset: 0n });
    await expect(p.send({ topic, value: 'after close' })).rejects.toBeInstanceOf(KafkaClosedError);
    expect((await readTopic(node, topic)).get(0)?.map((r) => r.value)).toEqual(['before close']);
  }, 30_000);

  it('anUnknownTopicFailsWithATypedErrorNamingIt', async () => {
    const topic = topicName('missing');
    const error = await producer({ maxBlockMs: 500 })
      .send({ topic, value: 'nowhere' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaRetriesExhaustedError);
    expect((error as Error).message).toContain(topic);
    expect((error as KafkaClientError).cause).toMatchObject({ errorName: 'UNKNOWN_TOPIC_OR_PARTITION', topic });
  }, 30_000);

  it('aPartitionTheTopicLacksIsRefused', async () => {
    const topic = await createTopic('bad-partition', 2);
    await expect(producer().send({ topic, value: 'v', partition: 5 })).rejects.toThrow(`partition 5 of ${topic} does not exist: the topic has 2 partitions`);
  }, 30_000);

  it.each([
    [{ lingerMs: -1 }, 'lingerMs'],
    [{ acks: 2 }, 'acks'],
    [{ compression: 'brotli' }, 'compression'],
    [{ batchSize: 1.5 }, 'batchSize'],
    [{ acks: 1, idempotent: true }, 'acks'],
    [{ deliveryTimeoutMs: 1_000 }, 'deliveryTimeoutMs'],
    [{ valueSerializer: {} }, 'valueSerializer'],
  ] as const)('badOptionsThrowKafkaConfigError %o', (options, key) => {
    const construct = () => new Producer({ bootstrap: '127.0.0.1:9', ...(options as object) });
    expect(construct).toThrow(KafkaConfigError);
    try {
      construct();
    } catch (error) {
      expect((error as KafkaConfigError).key).toBe(key);
    }
  });
});
