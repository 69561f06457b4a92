// Errors are data: a request the broker cannot serve in part gets Kafka's
// error code for that part, the rest of the request is served, and the
// connection stays open.
import { encodeRecordBatch } from '@kstream/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { expectKafkaError } from './kafkajs-errors.test-support.js';
import { expectSuccess, kcat, kcatMissing, parseRecords, RECORD_FORMAT } from './kcat.test-support.js';
import { RawConnection, errorName } from './raw-connection.test-support.js';
import { fetchPartition, produce, topicMetadata } from './raw-requests.test-support.js';
import { connectToLeader, partitionLeaders, readTopic } from './topic-reader.test-support.js';

function batchOf(...values: string[]): Promise<Buffer> {
  return encodeRecordBatch({ records: values.map((v) => ({ key: null, value: Buffer.from(v) })) });
}

describe('errors as data', () => {
  let node: CompatCluster;

  beforeAll(async () => {
    node = await CompatCluster.start('errors-as-data');
  });

  afterAll(async () => {
    await node?.stop();
  });

  async function createTopic(prefix: string, numPartitions: number, configEntries: Array<{ name: string; value: string }> = []): Promise<string> {
    const topic = topicName(prefix);
    const admin = await node.admin();
    await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1, configEntries }] });
    return topic;
  }

  it('unknownPartition: UNKNOWN_TOPIC_OR_PARTITION for a partition past the last, while partition 0 in the same Produce is written', async () => {
    const topic = await createTopic('one-partition', 1);
    const conn = await connectToLeader(node, topic, 0);
    try {
      const answers = await produce(
        conn,
        topic,
        new Map([
          [0, await batchOf('kept')],
          [5, await batchOf('nowhere')],
        ]),
      );
      expect(errorName(answers.get(0)!.errorCode)).toBe('NONE');
      expect(answers.get(0)!.baseOffset).toBe(0n);
      expect(errorName(answers.get(5)!.errorCode)).toBe('UNKNOWN_TOPIC_OR_PARTITION');
      expect(conn.isClosed).toBe(false);
    } finally {
      conn.close();
    }
    expect((await readTopic(node, topic)).get(0)?.map((r) => r.value)).toEqual(['kept']);
  }, 30_000);

  it('unknownTopic: Produce does not create it; UNKNOWN_TOPIC_OR_PARTITION and the topic stays unknown', async () => {
    const topic = topicName('never-created');
    const conn = await RawConnection.open(node.port(1));
    try {
      const answers = await produce(conn, topic, new Map([[0, await batchOf('lost')]]));
      expect(errorName(answers.get(0)!.errorCode)).toBe('UNKNOWN_TOPIC_OR_PARTITION');
      const [listed] = await topicMetadata(conn, [topic]);
      expect(errorName(listed!.errorCode)).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    } finally {
      conn.close();
    }
  }, 30_000);

  it('messageTooLarge: kafkajs gets MESSAGE_TOO_LARGE above the topic max.message.bytes; nothing is written; smaller records pass', async () => {
    const topic = await createTopic('small-records', 1, [{ name: 'max.message.bytes', value: '1024' }]);
    const producer = await node.producer();
    await expectKafkaError(producer.send({ topic, messages: [{ value: 'x'.repeat(4000) }] }), 'MESSAGE_TOO_LARGE');
    await producer.send({ topic, messages: [{ value: 'fits' }] });
    const admin = await node.admin();
    expect(await admin.fetchTopicOffsets(topic)).toEqual([{ partition: 0, offset: '1', high: '1', low: '0' }]);
    expect((await readTopic(node, topic)).get(0)?.map((r) => [r.offset, r.value])).toEqual([[0n, 'fits']]);
  }, 30_000);

  it('corruptBatch: CORRUPT_MESSAGE for a batch whose CRC does not match, the other partition of the request written', async () => {
    // Both partitions on broker 1 (a manual assignment), so one Produce carries both.
    const topic = topicName('corrupt');
    const admin = await node.admin();
    await admin.createTopics({
      topics: [
        {
          topic,
          replicaAssignment: [
            { partition: 0, replicas: [1] },
            { partition: 1, replicas: [1] },
          ],
        },
      ],
    });
    expect(await partitionLeaders(node, topic)).toEqual(
      new Map([
        [0, 1],
        [1, 1],
      ]),
    );
    const conn = await RawConnection.open(node.port(1));
    try {
      const corrupt = await batchOf('flipped');
      corrupt[corrupt.length - 1]! ^= 0xff;
      const answers = await produce(
        conn,
        topic,
        new Map([
          [0, corrupt],
          [1, await batchOf('intact')],
        ]),
      );
      expect(errorName(answers.get(0)!.errorCode)).toBe('CORRUPT_MESSAGE');
      expect(errorName(answers.get(1)!.errorCode)).toBe('NONE');
      expect((await fetchPartition(conn, topic, 0, 0n)).highWatermark).toBe(0n);
      expect((await fetchPartition(conn, topic, 1, 0n)).highWatermark).toBe(1n);
    } finally {
      conn.close();
    }
  }, 30_000);

  it('notLeader: NOT_LEADER_OR_FOLLOWER for the partitions another broker leads, while the ones this broker leads are written', async () => {
    const topic = await createTopic('spread', 3);
    const leaders = await partitionLeaders(node, topic);
    const asked = leaders.get(0)!;
    const elsewhere = [...leaders].filter(([, leader]) => leader !== asked).map(([partition]) => partition);
    expect(elsewhere.length, `3 partitions of ${topic} all led by broker ${asked}`).toBeGreaterThan(0);

    const conn = await RawConnection.open(node.port(asked));
    try {
      const batches = new Map<number, Buffer>();
      for (const partition of leaders.keys()) batches.set(partition, await batchOf(`for partition ${partition}`));
      const answers = await produce(conn, topic, batches);
      for (const [partition, leader] of leaders) {
        const expected = leader === asked ? 'NONE' : 'NOT_LEADER_OR_FOLLOWER';
        expect(errorName(answers.get(partition)!.errorCode), `Produce of partition ${partition} (leader ${leader}) to broker ${asked}`).toBe(expected);
      }
      const misdirected = await fetchPartition(conn, topic, elsewhere[0]!, 0n);
      expect(errorName(misdirected.errorCode), `Fetch of partition ${elsewhere[0]} from broker ${asked}`).toBe('NOT_LEADER_OR_FOLLOWER');
    } finally {
      conn.close();
    }

    const stored = await readTopic(node, topic);
    for (const [partition, leader] of leaders) {
      expect(
        stored.get(partition)?.map((r) => r.value),
        `partition ${partition}`,
      ).toEqual(leader === asked ? [`for partition ${partition}`] : []);
    }
  }, 30_000);

  it('fetchOutOfRange: OFFSET_OUT_OF_RANGE past the high watermark, an empty answer at it', async () => {
    const topic = await createTopic('short', 1);
    const producer = await node.producer();
    await producer.send({ topic, messages: ['a', 'b', 'c', 'd', 'e'].map((value) => ({ value })) });
    const conn = await connectToLeader(node, topic, 0);
    try {
      const past = await fetchPartition(conn, topic, 0, 1_000_000n);
      expect(errorName(past.errorCode)).toBe('OFFSET_OUT_OF_RANGE');
      const atEnd = await fetchPartition(conn, topic, 0, 5n);
      expect(errorName(atEnd.errorCode)).toBe('NONE');
      expect(atEnd.highWatermark).toBe(5n);
      expect(atEnd.records?.length ?? 0).toBe(0);
    } finally {
      conn.close();
    }
  }, 30_000);

  it.skipIf(kcatMissing !== null)(
    'kcatOffsetOutOfRange: kcat -o 1000000 resets by auto.offset.reset — to the start, or to the end',
    async () => {
      const topic = await createTopic('kcat-short', 1);
      const producer = await node.producer();
      await producer.send({ topic, messages: ['a', 'b', 'c', 'd', 'e'].map((value) => ({ value })) });
      const args = ['-b', node.bootstrap, '-C', '-t', topic, '-p', '0', '-o', '1000000', '-e', '-q', '-Z', '-f', RECORD_FORMAT];

      const fromStart = expectSuccess(await kcat([...args, '-X', 'auto.offset.reset=smallest']));
      expect(parseRecords(fromStart.stdout).map((r) => [r.offset, r.value])).toEqual([
        [0, 'a'],
        [1, 'b'],
        [2, 'c'],
        [3, 'd'],
        [4, 'e'],
      ]);
      const toEnd = expectSuccess(await kcat([...args, '-X', 'auto.offset.reset=largest']));
      expect(parseRecords(toEnd.stdout)).toEqual([]);
    },
    45_000,
  );
});
