// kafkajs's transactional producer and read_committed consumer against a
// 3-broker node, as they work against Apache Kafka: a commit is visible to
// read_committed; an abort is hidden from it and visible to
// read_uncommitted; an open transaction holds read_committed back at its
// first offset (records after it too) until it ends; sendOffsets commits
// the group's offsets with the transaction — not while it is open, not
// after an abort; one transaction spans several partitions of several
// topics, all visible or none.
import type { Admin, Producer } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/cluster.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { consumeUpTo, settledEnds, valuesOf } from './transactions.test-support.js';

/** Small __transaction_state and __consumer_offsets, groups that settle at once. */
const CONFIG = { 'transaction.state.log.num.partitions': '3', 'offsets.topic.num.partitions': '3', 'group.initial.rebalance.delay.ms': '0' };

describe('kafkajs transactions', () => {
  let node: CompatCluster;
  let admin: Admin;

  beforeAll(async () => {
    node = await CompatCluster.start('kafkajs-transactions', CONFIG);
    admin = await node.admin();
  }, 30_000);

  afterAll(async () => {
    await node?.stop();
  });

  async function createTopic(prefix: string, partitions = 3): Promise<string> {
    const topic = topicName(prefix);
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 3 }], waitForLeaders: true });
    return topic;
  }

  async function transactionalProducer(transactionalId: string): Promise<Producer> {
    return node.producer({ transactionalId, maxInFlightRequests: 1, idempotent: true });
  }

  async function ends(topic: string): Promise<Map<number, bigint>> {
    const partitions = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length;
    return settledEnds((id) => node.port(id), topic, partitions);
  }

  async function readAll(topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
    return valuesOf(await consumeUpTo(node.bootstrap, topicName(`reader-${isolation}`), topic, await ends(topic), isolation));
  }

  it('commitIsVisibleToReadCommitted: the records of a committed transaction, in order', async () => {
    const topic = await createTopic('commit');
    const producer = await transactionalProducer(topicName('txn-commit'));
    const transaction = await producer.transaction();
    await transaction.send({ topic, messages: ['a', 'b', 'c'].map((value) => ({ value, partition: 0 })) });
    await transaction.commit();
    expect(await readAll(topic, 'read_committed')).toEqual(['a', 'b', 'c']);
  }, 30_000);

  it('abortIsHiddenFromReadCommittedButNotFromReadUncommitted: an aborted transaction between two committed ones', async () => {
    const topic = await createTopic('abort');
    const producer = await transactionalProducer(topicName('txn-abort'));
    for (const [values, commit] of [
      [['c1', 'c2'], true],
      [['x1', 'x2', 'x3'], false],
      [['c3'], true],
    ] as const) {
      const transaction = await producer.transaction();
      await transaction.send({ topic, messages: values.map((value) => ({ value, partition: 1 })) });
      await (commit ? transaction.commit() : transaction.abort());
    }
    expect(await readAll(topic, 'read_committed')).toEqual(['c1', 'c2', 'c3']);
    expect(await readAll(topic, 'read_uncommitted')).toEqual(['c1', 'c2', 'x1', 'x2', 'x3', 'c3']);
  }, 30_000);

  it('openTransactionHoldsReadCommittedBackAtItsFirstOffset: records written after it by a plain producer wait for its end too', async () => {
    const topic = await createTopic('open', 1);
    const producer = await transactionalProducer(topicName('txn-open'));
    const plain = await node.producer();
    await plain.send({ topic, acks: -1, messages: [{ value: 'before' }] });
    const transaction = await producer.transaction();
    await transaction.send({ topic, messages: [{ value: 'in-txn' }] });
    await plain.send({ topic, acks: -1, messages: [{ value: 'after' }] });
    const seen: string[] = [];
    const consumer = await node.consumer({ groupId: topicName('open-reader'), readUncommitted: false, maxWaitTimeInMs: 100 });
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') });
    try {
      await waitFor('read_committed delivers the record before the open transaction', () => seen.length > 0);
      await sleep(1_500);
      expect(seen, 'while the transaction is open').toEqual(['before']);
      await transaction.commit();
      await waitFor('read_committed delivers the rest once the transaction committed', () => seen.length === 3, 15_000);
      expect(seen).toEqual(['before', 'in-txn', 'after']);
    } finally {
      await consumer.disconnect();
    }
  }, 40_000);

  it('sendOffsetsCommitsTheGroupsOffsetsWithTheTransaction: not while it is open, never after an abort, at its commit', async () => {
    const input = await createTopic('offsets-in', 2);
    const output = await createTopic('offsets-out', 1);
    const group = topicName('offsets-group');
    const producer = await transactionalProducer(topicName('txn-offsets'));
    const committed = async (): Promise<string[]> => {
      const [answer] = await admin.fetchOffsets({ groupId: group, topics: [input] });
      return (answer?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => p.offset);
    };

    const aborted = await producer.transaction();
    await aborted.send({ topic: output, messages: [{ value: 'from-aborted' }] });
    await aborted.sendOffsets({
      consumerGroupId: group,
      topics: [
        {
          topic: input,
          partitions: [
            { partition: 0, offset: '5' },
            { partition: 1, offset: '3' },
          ],
        },
      ],
    });
    await aborted.abort();
    await sleep(500);
    expect(await committed(), 'after the abort').toEqual(['-1', '-1']);

    const open = await producer.transaction();
    await open.send({ topic: output, messages: [{ value: 'from-committed' }] });
    await open.sendOffsets({
      consumerGroupId: group,
      topics: [
        {
          topic: input,
          partitions: [
            { partition: 0, offset: '7' },
            { partition: 1, offset: '4' },
          ],
        },
      ],
    });
    await sleep(500);
    expect(await committed(), 'while the transaction is open').toEqual(['-1', '-1']);
    await open.commit();
    let last: string[] = [];
    await waitFor('the offsets committed with the transaction', async () => {
      last = await committed();
      return last.join() === '7,4';
    }).catch((error: Error) => {
      throw new Error(`${error.message}; last fetched ${last.join(', ')}`);
    });
    expect(await readAll(output, 'read_committed')).toEqual(['from-committed']);
  }, 40_000);

  it('oneTransactionAcrossPartitionsOfTwoTopics: a committed one visible on every partition, an aborted one on none', async () => {
    const first = await createTopic('multi-a', 3);
    const second = await createTopic('multi-b', 2);
    const producer = await transactionalProducer(topicName('txn-multi'));
    const messages = (tag: string, partitions: number) => Array.from({ length: partitions * 2 }, (_, i) => ({ value: `${tag}-${i}`, partition: i % partitions }));
    for (const tag of ['committed', 'aborted']) {
      const transaction = await producer.transaction();
      await transaction.sendBatch({
        topicMessages: [
          { topic: first, messages: messages(tag, 3) },
          { topic: second, messages: messages(tag, 2) },
        ],
      });
      await (tag === 'committed' ? transaction.commit() : transaction.abort());
    }
    const byPartition = async (topic: string, isolation: 'read_committed' | 'read_uncommitted') => {
      const records = await consumeUpTo(node.bootstrap, topicName('multi-reader'), topic, await ends(topic), isolation);
      return records.map((r) => `p${r.partition}:${r.value}`);
    };
    expect(await byPartition(first, 'read_committed')).toEqual(['p0:committed-0', 'p0:committed-3', 'p1:committed-1', 'p1:committed-4', 'p2:committed-2', 'p2:committed-5']);
    expect(await byPartition(second, 'read_committed')).toEqual(['p0:committed-0', 'p0:committed-2', 'p1:committed-1', 'p1:committed-3']);
    expect((await byPartition(second, 'read_uncommitted')).filter((v) => v.includes('aborted'))).toHaveLength(4);
  }, 40_000);
});
