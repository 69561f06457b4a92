// Records through kcat (librdkafka 2): keys, headers and timestamps survive
// the round trip, every compression codec comes back intact, and the broker
// keeps compressed batches as they were sent (compression.type defaults to
// "producer"), whoever compressed them.
import { partitionForKey } from '@kstream/partitioner';
import { ATTRIBUTE_COMPRESSION_MASK, CompressionType, encodeRecordBatch, recordBatchesIn } from '@kstream/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { kcatConsume, kcatMissing, kcatProduce } from './kcat.test-support.js';
import { fetchPartition, produce } from './raw-requests.test-support.js';
import { connectToLeader } from './topic-reader.test-support.js';

describe.skipIf(kcatMissing !== null)('kcat records', () => {
  let node: CompatCluster;

  beforeAll(async () => {
    node = await CompatCluster.start('kcat-records');
  });

  afterAll(async () => {
    await node?.stop();
  });

  async function createTopic(prefix: string, numPartitions = 1): Promise<string> {
    const topic = topicName(prefix);
    const admin = await node.admin();
    await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }] });
    return topic;
  }

  it('keyedAndUnkeyedWithHeaders: read back in order with keys, headers, offsets and producer timestamps', async () => {
    const topic = await createTopic('kcat-keyed');
    const before = Date.now();
    await kcatProduce(node.bootstrap, topic, ['k1:first', 'second, no key', 'k3:third', 'k1:fourth'], ['-K', ':', '-H', 'trace=abc-123', '-H', 'origin=kcat']);
    const after = Date.now();

    const records = await kcatConsume(node.bootstrap, topic);
    expect(records.map((r) => [r.partition, r.offset, r.key, r.value, r.headers])).toEqual([
      [0, 0, 'k1', 'first', 'trace=abc-123,origin=kcat'],
      [0, 1, 'NULL', 'second, no key', 'trace=abc-123,origin=kcat'],
      [0, 2, 'k3', 'third', 'trace=abc-123,origin=kcat'],
      [0, 3, 'k1', 'fourth', 'trace=abc-123,origin=kcat'],
    ]);
    for (const r of records) {
      expect(r.timestamp, `timestamp of offset ${r.offset}`).toBeGreaterThanOrEqual(before);
      expect(r.timestamp, `timestamp of offset ${r.offset}`).toBeLessThanOrEqual(after);
    }
  }, 45_000);

  it('kafkajsTimestampsAndHeaders: records a kafkajs producer stamped read back by kcat exactly', async () => {
    const topic = await createTopic('kafkajs-stamped');
    const producer = await node.producer();
    await producer.send({
      topic,
      messages: [
        { key: 'a', value: 'old', timestamp: '1500000000001', headers: { color: 'red' } },
        { key: null, value: 'older still', timestamp: '1400000000002' },
        { key: 'c', value: 'recent', timestamp: '1700000000003', headers: { color: 'blue', size: 'xl' } },
      ],
    });

    const records = await kcatConsume(node.bootstrap, topic);
    expect(records.map((r) => [r.offset, r.timestamp, r.key, r.value, r.headers])).toEqual([
      [0, 1500000000001, 'a', 'old', 'color=red'],
      [1, 1400000000002, 'NULL', 'older still', ''],
      [2, 1700000000003, 'c', 'recent', 'color=blue,size=xl'],
    ]);
  }, 45_000);

  it("murmur2Keys: kcat with librdkafka's murmur2 partitioner puts each key where partitionForKey (and kafkajs) would", async () => {
    const topic = await createTopic('kcat-murmur2', 6);
    const keys = Array.from({ length: 60 }, (_, i) => `device-${i * 31}`);
    await kcatProduce(
      node.bootstrap,
      topic,
      keys.map((key) => `${key}:reading`),
      ['-K', ':', '-X', 'partitioner=murmur2_random'],
    );
    const records = await kcatConsume(node.bootstrap, topic);
    expect(records).toHaveLength(keys.length);
    for (const r of records) expect(r.partition, `partition of key ${r.key}`).toBe(partitionForKey(r.key, 6));
  }, 45_000);

  const codecs = [
    ['gzip', CompressionType.Gzip],
    ['snappy', CompressionType.Snappy],
    ['lz4', CompressionType.Lz4],
    ['zstd', CompressionType.Zstd],
  ] as const;
  const codecByName: Readonly<Record<string, number>> = { uncompressed: CompressionType.None, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

  /** The codec of every batch stored in partition 0 of `topic`, read with a raw Fetch from its leader. */
  async function storedCodecs(topic: string): Promise<Set<number>> {
    const conn = await connectToLeader(node, topic, 0);
    try {
      const fetched = await fetchPartition(conn, topic, 0, 0n);
      expect(fetched.errorCode).toBe(0);
      const batches = [...recordBatchesIn(fetched.records ?? Buffer.alloc(0))];
      expect(batches.length).toBeGreaterThan(0);
      return new Set(batches.map(({ header }) => header.attributes & ATTRIBUTE_COMPRESSION_MASK));
    } finally {
      conn.close();
    }
  }

  it.each(codecs)(
    'kcatCompression %s: librdkafka compresses, the batches are stored so, and they come back intact',
    async (codec, type) => {
      const topic = await createTopic(`kcat-${codec}`);
      const lines = Array.from({ length: 400 }, (_, i) => `key-${i % 37}:value ${i} ${'abcdefgh'.repeat(i % 20)}`);
      const produced = await kcatProduce(node.bootstrap, topic, lines, ['-K', ':', '-X', `compression.codec=${codec}`, '-X', 'linger.ms=20', '-d', 'msg']);

      const records = await kcatConsume(node.bootstrap, topic);
      expect(records.map((r) => `${r.key}:${r.value}`)).toEqual(lines);
      expect(records.map((r) => r.offset)).toEqual(lines.map((_, i) => i));

      // librdkafka's debug line for each request: "Produce MessageSet with 400 message(s) (40317 bytes, ..., zstd)".
      const sent = new Set([...produced.stderr.matchAll(/Produce MessageSet with \d+ message\(s\) \(.*, (\w+)\)$/gm)].map(([, name]) => codecByName[name!]));
      // librdkafka before 2.8 compresses gzip and snappy only for a broker advertising Produce v2 (librdkafka #4956), lz4
      // only with FindCoordinator, zstd with Produce v7 and Fetch v10: Kafka 4 advertises Produce from v0 for it (KAFKA-18659).
      expect([...sent], `the codec of kcat's Produce requests, from kcat -d msg:\n${produced.stderr.slice(0, 2000)}`).toEqual([type]);
      expect(await storedCodecs(topic)).toEqual(sent);
    },
    45_000,
  );

  it.each(codecs)(
    'storedCompression %s: a batch compressed here is stored as sent and kcat decompresses it',
    async (codec, type) => {
      const topic = await createTopic(`raw-${codec}`);
      const values = Array.from({ length: 300 }, (_, i) => `${codec} record ${i} ${'xyz'.repeat(i % 30)}`);
      const batch = await encodeRecordBatch({
        compression: type,
        records: values.map((value, i) => ({ key: Buffer.from(`k${i % 5}`), value: Buffer.from(value), headers: [{ key: 'codec', value: Buffer.from(codec) }] })),
      });
      const conn = await connectToLeader(node, topic, 0);
      try {
        const answers = await produce(conn, topic, new Map([[0, batch]]));
        expect(answers.get(0)?.errorCode).toBe(0);
      } finally {
        conn.close();
      }
      expect(await storedCodecs(topic)).toEqual(new Set([type]));
      const records = await kcatConsume(node.bootstrap, topic);
      expect(records.map((r) => [r.offset, r.key, r.value, r.headers])).toEqual(values.map((v, i) => [i, `k${i % 5}`, v, `codec=${codec}`]));
    },
    45_000,
  );
});
