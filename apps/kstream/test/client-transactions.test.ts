// @kstream/client's transactional producer and read_committed consumer
// against a 3-broker node: a committed transaction is visible to
// read_committed and an aborted one is not (read_uncommitted sees both); an
// open transaction holds a read_committed consumer's position at its first
// offset until it commits; sendOffsets commits the group's offsets with the
// transaction, a group member's (its generation and member id) too, in a
// consume-transform-produce round; a second producer with the same transactional id fences the
// first (KafkaProducerFencedError) and aborts its open transaction; the
// client's kafkajs entry commits a transaction too.
import { Consumer, KafkaProducerFencedError, Producer, stringSerde, type ConsumerRecord, type IsolationLevel, type ProducerOptions } from '@kstream/client';
import { Kafka, logLevel } from '@kstream/client/kafkajs';
import type { Admin } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/cluster.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { settledEnds } from './transactions.test-support.js';

/** Small __transaction_state and __consumer_offsets. */
const CONFIG = { 'transaction.state.log.num.partitions': '3', 'offsets.topic.num.partitions': '3', 'group.initial.rebalance.delay.ms': '0' };
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('client transactions', () => {
  let node: CompatCluster;
  let admin: Admin;
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    node = await CompatCluster.start('client-transactions', CONFIG);
    admin = await node.admin();
    // A 3-broker node starts in well under 30 s, but not always under a load average near 20.
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled(closers.map((close) => close()));
    await node?.stop();
  });

  async function createTopic(prefix: string, partitions = 1): Promise<string> {
    const topic = topicName(prefix);
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 3 }], waitForLeaders: true });
    return topic;
  }

  function producer(options: Partial<ProducerOptions<string, string>> = {}): Producer<string, string> {
    const p = new Producer<string, string>({ bootstrap: node.bootstrap, keySerializer: stringSerde, valueSerializer: stringSerde, logger: quiet, ...options });
    closers.push(() => p.close({ timeoutMs: 5_000 }));
    return p;
  }

  function consumer(isolationLevel: IsolationLevel, topic: string): Consumer<string, string> {
    const c = new Consumer<string, string>({
      bootstrap: node.bootstrap,
      keyDeserializer: stringSerde,
      valueDeserializer: stringSerde,
      autoOffsetReset: 'earliest',
      isolationLevel,
      fetchMaxWaitMs: 100,
      logger: quiet,
    });
    closers.push(() => c.close());
    c.assign([{ topic, partition: 0 }]);
    return c;
  }

  /** The values of partition 0 under `isolation`, read until the position reaches the partition's end once no transaction is open. */
  async function readAll(topic: string, isolation: IsolationLevel): Promise<string[]> {
    const end = (await settledEnds((id) => node.port(id), topic, 1)).get(0)!;
    const c = consumer(isolation, topic);
    const values: string[] = [];
    await waitFor(
      `${isolation} reaching offset ${end} of ${topic}`,
      async () => {
        for (const batch of await c.poll({ timeoutMs: 200 })) values.push(...batch.records.map((r: ConsumerRecord<string, string>) => r.value!));
        return (c.position({ topic, partition: 0 }) ?? 0n) >= end;
      },
      15_000,
    );
    await c.close();
    return values;
  }

  it('commitIsVisibleToReadCommittedAndAbortIsNot; read_uncommitted sees both', async () => {
    const topic = await createTopic('commit-abort');
    const p = producer({ transactionalId: topicName('tx-commit-abort') });
    for (const [values, commit] of [
      [['c1', 'c2'], true],
      [['x1', 'x2'], false],
      [['c3'], true],
    ] as const) {
      const txn = await p.transaction();
      await txn.send(values.map((value) => ({ topic, value, partition: 0 })));
      await (commit ? txn.commit() : txn.abort());
    }
    expect(await readAll(topic, 'read_committed')).toEqual(['c1', 'c2', 'c3']);
    expect(await readAll(topic, 'read_uncommitted')).toEqual(['c1', 'c2', 'x1', 'x2', 'c3']);
  }, 40_000);

  it('anOpenTransactionHoldsTheReadCommittedPositionAtItsFirstOffsetUntilItCommits', async () => {
    const topic = await createTopic('open');
    const plain = producer();
    const p = producer({ transactionalId: topicName('tx-open') });
    await plain.send({ topic, value: 'before', partition: 0 });
    const txn = await p.transaction();
    const [inTxn] = await txn.send([{ topic, value: 'in-txn', partition: 0 }]);
    await plain.send({ topic, value: 'after', partition: 0 });
    const c = consumer('read_committed', topic);
    const seen: string[] = [];
    const pollFor = async (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) for (const batch of await c.poll({ timeoutMs: 100 })) seen.push(...batch.records.map((r) => r.value!));
    };
    await pollFor(1_500);
    expect(seen, 'while the transaction is open').toEqual(['before']);
    expect(c.position({ topic, partition: 0 }), 'the position stops at the open transaction').toBe(inTxn!.offset);
    await txn.commit();
    await waitFor(
      'the rest once the transaction committed',
      async () => {
        await pollFor(200);
        return seen.length === 3;
      },
      15_000,
    );
    expect(seen).toEqual(['before', 'in-txn', 'after']);
  }, 40_000);

  it('sendOffsetsCommitsTheGroupsOffsetsWithTheTransactionAndNotBefore', async () => {
    const input = await createTopic('offsets-in', 2);
    const output = await createTopic('offsets-out');
    const group = topicName('offsets-group');
    const committed = async (): Promise<string[]> => {
      const [answer] = await admin.fetchOffsets({ groupId: group, topics: [input] });
      return (answer?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((q) => q.offset);
    };
    const p = producer({ transactionalId: topicName('tx-offsets') });
    const aborted = await p.transaction();
    await aborted.send({ topic: output, value: 'from-aborted', partition: 0 });
    await aborted.sendOffsets({ groupId: group, offsets: [{ topic: input, partition: 0, offset: 5n }] });
    await aborted.abort();
    const txn = await p.transaction();
    await txn.send({ topic: output, value: 'from-committed', partition: 0 });
    await txn.sendOffsets({
      groupId: group,
      offsets: [
        { topic: input, partition: 0, offset: 7n },
        { topic: input, partition: 1, offset: 4n },
      ],
    });
    await sleep(300);
    expect(await committed(), 'while the transaction is open').toEqual(['-1', '-1']);
    await txn.commit();
    await waitFor('the offsets committed with the transaction', async () => (await committed()).join() === '7,4', 15_000);
    expect(await readAll(output, 'read_committed')).toEqual(['from-committed']);
  }, 40_000);

  it('consumeTransformProduceCommitsTheOutputAndTheGroupMembersOffsetsTogether', async () => {
    const input = await createTopic('ctp-in');
    const output = await createTopic('ctp-out');
    const group = topicName('ctp-group');
    await producer().send(['a', 'b', 'c'].map((value) => ({ topic: input, value, partition: 0 })));
    const member = new Consumer<string, string>({
      bootstrap: node.bootstrap,
      groupId: group,
      keyDeserializer: stringSerde,
      valueDeserializer: stringSerde,
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
      isolationLevel: 'read_committed',
      fetchMaxWaitMs: 100,
      logger: quiet,
    });
    closers.push(() => member.close());
    member.subscribe([input]);
    const records: ConsumerRecord<string, string>[] = [];
    await waitFor(
      'the member to consume the input',
      async () => {
        for (const batch of await member.poll({ timeoutMs: 200 })) records.push(...batch.records);
        return records.length === 3;
      },
      20_000,
    );
    expect(member.groupMetadata()?.generationId).toBeGreaterThan(0);
    const p = producer({ transactionalId: topicName('tx-ctp') });
    const txn = await p.transaction();
    await txn.send(records.map((r) => ({ topic: output, value: r.value!.toUpperCase(), partition: 0 })));
    await txn.sendOffsets({ groupId: group, consumer: member, offsets: [{ topic: input, partition: 0, offset: records.at(-1)!.offset + 1n }] });
    await txn.commit();
    await waitFor(
      'the member’s offsets committed with the transaction',
      async () => (await member.committed([{ topic: input, partition: 0 }])).get(`${input}-0`) === 3n,
      15_000,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}; committed ${[...(await member.committed([{ topic: input, partition: 0 }]))].join(' ')}`);
    });
    expect(await readAll(output, 'read_committed')).toEqual(['A', 'B', 'C']);
  }, 60_000);

  it('aSecondProducerWithTheSameTransactionalIdFencesTheFirstAndAbortsItsOpenTransaction', async () => {
    const topic = await createTopic('fencing');
    const transactionalId = topicName('tx-fenced');
    const zombie = producer({ transactionalId });
    const zombieTxn = await zombie.transaction();
    await zombieTxn.send({ topic, value: 'zombie', partition: 0 });
    const successor = producer({ transactionalId });
    const txn = await successor.transaction();
    await txn.send({ topic, value: 'successor', partition: 0 });
    await txn.commit();
    const error = await zombieTxn.commit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaProducerFencedError);
    expect(error).toMatchObject({ transactionalId, retriable: false });
    await expect(zombie.transaction(), 'fatal: the zombie can only be closed').rejects.toBe(error);
    expect(await readAll(topic, 'read_committed')).toEqual(['successor']);
  }, 40_000);

  it('theKafkajsEntryCommitsATransaction', async () => {
    const topic = await createTopic('kafkajs-entry');
    const kafka = new Kafka({ brokers: node.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const p = kafka.producer({ transactionalId: topicName('tx-kafkajs'), maxInFlightRequests: 1, idempotent: true });
    closers.push(() => p.disconnect());
    await p.connect();
    const aborted = await p.transaction();
    await aborted.send({ topic, messages: [{ value: 'dropped', partition: 0 }] });
    await aborted.abort();
    const txn = await p.transaction();
    await txn.send({ topic, messages: [{ value: 'kept', partition: 0 }] });
    await txn.commit();
    expect(txn.isActive()).toBe(false);
    expect(await readAll(topic, 'read_committed')).toEqual(['kept']);
  }, 40_000);
});
