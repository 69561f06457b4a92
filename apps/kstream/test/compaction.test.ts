// Log compaction on a real node (issue 11): a compacted topic with RF 3,
// produced with repeated keys by kafkajs, small segments and a cleaner that
// looks every 200 ms. Read back from the leader, it holds only the last
// value of each key, at the offsets they were produced at; every replica's
// log on disk holds those records at those offsets too, and nothing that
// was not produced there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/cluster.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { replicaOnDisk } from './failover.test-support.js';
import { readTopic } from './topic-reader.test-support.js';

const KEYS = 20;
const ROUNDS = 12;
const SEGMENT_BYTES = 4096;

describe('log compaction', () => {
  let node: CompatCluster;

  beforeAll(async () => {
    node = await CompatCluster.start('compaction', { 'log.cleaner.backoff.ms': '200' });
  });

  afterAll(async () => {
    await node?.stop();
  });

  it('compactedTopicKeepsTheLastValueOfEachKeyOnEveryReplica', async () => {
    const topic = topicName('compacted');
    const admin = await node.admin();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: 1,
          replicationFactor: 3,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'segment.bytes', value: String(SEGMENT_BYTES) },
            { name: 'min.cleanable.dirty.ratio', value: '0.01' },
          ],
        },
      ],
    });
    const producer = await node.producer();
    const produced = new Map<bigint, { key: string; value: string }>();
    const send = async (messages: { key: string; value: string }[]): Promise<void> => {
      const [result] = await producer.send({ topic, acks: -1, messages });
      messages.forEach((m, i) => {
        produced.set(BigInt(result!.baseOffset!) + BigInt(i), m);
      });
    };
    for (let round = 0; round < ROUNDS; round++) {
      await send(Array.from({ length: KEYS }, (_, k) => ({ key: `key-${k}`, value: `round-${round}-${'x'.repeat(100)}` })));
    }
    // Bigger than half a segment: the segment holding the last round rolls before it, so the cleaner may take that round too.
    await send([{ key: 'sentinel', value: 's'.repeat(SEGMENT_BYTES / 2 + 200) }]);

    const lastOfEachKey = new Map<string, bigint>();
    for (const [offset, { key }] of produced) lastOfEachKey.set(key, offset);
    const expected = [...lastOfEachKey.values()].sort((a, b) => (a < b ? -1 : 1)).map((offset) => ({ offset, ...produced.get(offset)! }));
    const leaderView = async () => (await readTopic(node, topic)).get(0)!.map((r) => ({ offset: r.offset, key: r.key!, value: r.value! }));
    await waitFor('the leader to be compacted', async () => (await leaderView()).length === expected.length, 30_000);
    expect(await leaderView()).toEqual(expected);

    // Every broker cleans its own replica, as in Kafka; give the followers' cleaners their turn.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await node.cluster.stop();
    for (const broker of [1, 2, 3]) {
      const records = (await replicaOnDisk(node, broker, topic, 0)).flatMap((b) => b.records.map((r) => ({ offset: r.offset, key: produced.get(r.offset)?.key, value: r.value })));
      for (const r of records) expect(produced.get(r.offset)?.value, `broker ${broker}'s record at ${r.offset}`).toBe(r.value);
      for (const e of expected) expect(records.find((r) => r.offset === e.offset)?.value, `broker ${broker} keeps ${e.key} at ${e.offset}`).toBe(e.value);
      expect(records.length, `broker ${broker}'s replica is compacted`).toBeLessThan(produced.size / 2);
    }
  }, 90_000);
});
