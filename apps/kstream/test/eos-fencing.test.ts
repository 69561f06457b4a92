// Zombie fencing with kafkajs: a second producer with the same
// transactional id (a restarted instance of the application) fences the
// first. The first's open transaction is aborted — read_committed never
// sees it, read_uncommitted does — and whatever the first does after, a
// send to a partition of its transaction or its commit, fails with
// INVALID_PRODUCER_EPOCH (PRODUCER_FENCED as newer clients name it; kafkajs
// speaks versions that carry the old name), while the new producer's
// transactions commit.
import type { Admin, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { consumeUpTo, errorTypeOf, settledEnds, valuesOf } from './transactions.test-support.js';

const CONFIG = { 'transaction.state.log.num.partitions': '3', 'offsets.topic.num.partitions': '3' };
const FENCED = ['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED'];

describe('zombie fencing', () => {
  let node: CompatCluster;
  let admin: Admin;

  beforeAll(async () => {
    node = await CompatCluster.start('eos-fencing', CONFIG);
    admin = await node.admin();
  }, 30_000);

  afterAll(async () => {
    await node?.stop();
  });

  async function setUp(prefix: string): Promise<{ topic: string; zombie: Producer; successor: () => Promise<Producer> }> {
    const topic = topicName(prefix);
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 3 }], waitForLeaders: true });
    const transactionalId = topicName(`${prefix}-id`);
    const config = { transactionalId, maxInFlightRequests: 1, idempotent: true };
    return { topic, zombie: await node.producer(config), successor: () => node.producer(config) };
  }

  async function read(topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
    return valuesOf(await consumeUpTo(node.bootstrap, topicName('fencing-reader'), topic, await settledEnds((id) => node.port(id), topic, 2), isolation)).sort();
  }

  it('aSendAfterTheSuccessorInitialisedFails: the zombie’s open transaction is aborted, its later send to the same partition refused', async () => {
    const { topic, zombie, successor } = await setUp('fence-send');
    const zombieTxn = await zombie.transaction();
    await zombieTxn.send({ topic, messages: [{ value: 'zombie-1', partition: 0 }] });

    const fresh = await successor();
    const freshTxn = await fresh.transaction();
    await freshTxn.send({ topic, messages: [{ value: 'fresh-1', partition: 1 }] });
    await freshTxn.commit();

    expect(FENCED).toContain(await errorTypeOf(zombieTxn.send({ topic, messages: [{ value: 'zombie-2', partition: 0 }] })));
    expect(await read(topic, 'read_committed')).toEqual(['fresh-1']);
    expect(await read(topic, 'read_uncommitted')).toEqual(['fresh-1', 'zombie-1']);
  }, 40_000);

  it('aCommitAfterTheSuccessorInitialisedFails: the zombie’s EndTxn is refused and its records stay invisible', async () => {
    const { topic, zombie, successor } = await setUp('fence-commit');
    const zombieTxn = await zombie.transaction();
    await zombieTxn.send({
      topic,
      messages: [
        { value: 'zombie-1', partition: 0 },
        { value: 'zombie-2', partition: 1 },
      ],
    });

    const fresh = await successor();
    const freshTxn = await fresh.transaction();
    expect(FENCED).toContain(await errorTypeOf(zombieTxn.commit()));
    await freshTxn.send({ topic, messages: [{ value: 'fresh-1', partition: 0 }] });
    await freshTxn.commit();

    expect(await read(topic, 'read_committed')).toEqual(['fresh-1']);
    expect(await read(topic, 'read_uncommitted')).toEqual(['fresh-1', 'zombie-1', 'zombie-2']);
  }, 40_000);

  it('aFencedProducerStaysFenced: a new partition for its transaction is refused by the coordinator too', async () => {
    const { topic, zombie, successor } = await setUp('fence-add');
    const zombieTxn = await zombie.transaction();
    await zombieTxn.send({ topic, messages: [{ value: 'zombie-1', partition: 0 }] });
    const fresh = await successor();
    await (await fresh.transaction()).abort();
    // Partition 1 is new to the zombie's transaction: kafkajs sends AddPartitionsToTxn with the old epoch first.
    expect(FENCED).toContain(await errorTypeOf(zombieTxn.send({ topic, messages: [{ value: 'zombie-2', partition: 1 }] })));
    expect(await read(topic, 'read_committed')).toEqual([]);
  }, 40_000);
});
