import { coordinatorPartition } from '@kstream/group-coordinator';
import { decodeResponse, ErrorCode, FindCoordinator } from '@kstream/protocol';
import type { ResponseOf } from '@kstream/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BrokerCluster } from '../../test/broker-cluster.test-support.js';
import type { RawClient } from '../network/raw-client.test-support.js';
import { CoordinatorType } from './coordinator-topics.js';

type Response = ResponseOf<typeof FindCoordinator>;

function findOne(client: RawClient, version: number, key: string, keyType: number = CoordinatorType.GROUP): Promise<Response> {
  return client.request(FindCoordinator, version, { key, keyType, coordinatorKeys: [] });
}

function findMany(client: RawClient, version: number, keys: string[], keyType: number = CoordinatorType.GROUP): Promise<Response> {
  return client.request(FindCoordinator, version, { key: '', keyType, coordinatorKeys: keys });
}

/** Sends one v3 request per key at once on `client`'s connection and decodes the answers in order. */
async function pipelined(client: RawClient, keys: string[]): Promise<Response[]> {
  const frames = keys.map((key) => client.frame(FindCoordinator, 3, { key, keyType: CoordinatorType.GROUP, coordinatorKeys: [] }));
  const already = client.frames.length;
  client.write(...frames.map((f) => f.frame));
  const received = (await client.waitForFrames(already + keys.length)).slice(already);
  return received.map((frame, i) => {
    const { correlationId, body } = decodeResponse(FindCoordinator, 3, frame);
    expect(correlationId).toBe(frames[i]!.correlationId);
    return body;
  });
}

/** Asks until `key` has a coordinator (the topic is created on first use), returning that answer. */
async function findWhenReady(client: RawClient, key: string, keyType: number = CoordinatorType.GROUP): Promise<Response> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await findOne(client, 3, key, keyType);
    if (response.errorCode !== ErrorCode.COORDINATOR_NOT_AVAILABLE || Date.now() > deadline) return response;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('FindCoordinator', () => {
  // 7 and 5 partitions keep the topics small; the expected partitions below are abs(javaHash(key)) % 7 (or % 5),
  // worked out by hand (see @kstream/group-coordinator's coordinator-partition.test.ts for the hashes).
  let cluster: BrokerCluster;
  beforeAll(async () => {
    cluster = await BrokerCluster.start({
      brokers: 3,
      config: { 'offsets.topic.num.partitions': '7', 'transaction.state.log.num.partitions': '5' },
    });
  });
  afterAll(() => cluster.stop());

  const leaderOf = (topic: string, partition: number) => cluster.controller.metadata.partition(topic, partition)!.leader;

  it('createdOnceOnFirstUse: concurrent requests to every broker create __consumer_offsets once, with Kafka configs', async () => {
    const topicRecords: string[] = [];
    cluster.broker(1).services.metadata.onChange(({ records }) => {
      for (const r of records) if (r.type === 'Topic') topicRecords.push(r.name);
    });
    const clients = await Promise.all([1, 1, 2, 2, 3, 3].map((id) => cluster.client(id)));
    const first = (
      await Promise.all(
        clients.map((client) =>
          pipelined(
            client,
            Array.from({ length: 5 }, (_, i) => `group-${i}`),
          ),
        ),
      )
    ).flat();
    expect(first).toHaveLength(30);
    for (const response of first) {
      expect(response).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, nodeId: -1, host: '', port: -1 });
      expect(response.errorMessage).toContain('__consumer_offsets');
    }

    expect((await findWhenReady(clients[0]!, 'my-group')).errorCode).toBe(ErrorCode.NONE);
    const topic = cluster.controller.metadata.topicByName('__consumer_offsets')!;
    expect(topic.partitions).toHaveLength(7);
    for (const p of topic.partitions) expect(p.replicas).toHaveLength(3);
    expect(Object.fromEntries(cluster.controller.metadata.configs('topic', '__consumer_offsets'))).toEqual({
      'cleanup.policy': 'compact',
      'compression.type': 'producer',
      'segment.bytes': '104857600',
    });
    expect(topicRecords.filter((name) => name === '__consumer_offsets')).toEqual(['__consumer_offsets']);
  });

  it('groupCoordinatorByJavaHash: each key is coordinated by the leader of partition abs(hash) % 7, on every broker', async () => {
    const expected: [string, number][] = [
      ['my-group', 1],
      ['groupé', 0],
      ['日本', 3],
      ['polygenelubricants', 0],
      ['Hello World', 5],
      ['😀', 2],
      ['a', 6],
    ];
    for (const id of [1, 2, 3]) {
      const client = await cluster.client(id);
      await findWhenReady(client, 'my-group');
      for (const [key, partition] of expected) {
        const leader = leaderOf('__consumer_offsets', partition);
        const response = await findOne(client, 1, key);
        expect(response, key).toEqual({
          throttleTimeMs: 0,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          nodeId: leader,
          host: '127.0.0.1',
          port: cluster.port(leader),
          coordinators: [],
        });
      }
    }
  });

  it('singleKeyVersions: v0 (no key type: a group) to v3 answer the one key', async () => {
    const client = await cluster.client(2);
    await findWhenReady(client, 'my-group');
    const leader = leaderOf('__consumer_offsets', 1);
    for (const version of [0, 1, 2, 3]) {
      const response = await findOne(client, version, 'my-group');
      expect(response, `v${version}`).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: leader, host: '127.0.0.1', port: cluster.port(leader) });
    }
  });

  it('batchedKeys: v4 and v5 answer every key in order, each on its own', async () => {
    const client = await cluster.client(3);
    await findWhenReady(client, 'my-group');
    const keys = ['Hello World', 'a', 'my-group', 'a'];
    for (const version of [4, 5]) {
      const response = await findMany(client, version, keys);
      expect(response.coordinators).toEqual(
        [5, 6, 1, 6].map((partition, i) => {
          const leader = leaderOf('__consumer_offsets', partition);
          return { key: keys[i], nodeId: leader, host: '127.0.0.1', port: cluster.port(leader), errorCode: ErrorCode.NONE, errorMessage: null };
        }),
      );
      expect((await findMany(client, version, [])).coordinators).toEqual([]);
    }
  });

  it('transactionKeyType: a transactional id is coordinated through __transaction_state, created with Kafka configs', async () => {
    const client = await cluster.client();
    const response = await findWhenReady(client, 'kafka-txn-0', CoordinatorType.TRANSACTION);
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(cluster.controller.metadata.topicByName('__transaction_state')!.partitions).toHaveLength(5);
    expect(Object.fromEntries(cluster.controller.metadata.configs('topic', '__transaction_state'))).toEqual({
      'cleanup.policy': 'compact',
      'compression.type': 'uncompressed',
      'min.insync.replicas': '2',
      'segment.bytes': '104857600',
      'unclean.leader.election.enable': 'false',
    });
    // 'kafka-txn-0' → partition 0 and 'txn-é' → 4 of 5.
    const batched = await findMany(client, 4, ['kafka-txn-0', 'txn-é'], CoordinatorType.TRANSACTION);
    expect(batched.coordinators.map((c) => [c.key, c.errorCode, c.nodeId])).toEqual([
      ['kafka-txn-0', 0, leaderOf('__transaction_state', 0)],
      ['txn-é', 0, leaderOf('__transaction_state', 4)],
    ]);
    expect(response.nodeId).toBe(leaderOf('__transaction_state', 0));
  });

  it('invalidKeyType: a key type other than group or transaction is INVALID_REQUEST, for every key from v4', async () => {
    const client = await cluster.client();
    expect(await findOne(client, 3, 'g', 2)).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, nodeId: -1, host: '', port: -1 });
    const batched = await findMany(client, 4, ['g', 'h'], 7);
    expect(batched.coordinators.map((c) => [c.key, c.errorCode, c.nodeId])).toEqual([
      ['g', ErrorCode.INVALID_REQUEST, -1],
      ['h', ErrorCode.INVALID_REQUEST, -1],
    ]);
    expect(batched.coordinators[0]!.errorMessage).toContain('key type 7');
  });
});

describe('FindCoordinator without enough brokers', () => {
  let cluster: BrokerCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('tooFewBrokers: with one broker and the default replication factor 3 nothing is created and the answer names the config', async () => {
    cluster = await BrokerCluster.start({ brokers: 1 });
    const client = await cluster.client();
    for (let attempt = 0; attempt < 3; attempt++) {
      const group = await findOne(client, 3, 'my-group');
      expect(group).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, nodeId: -1 });
      expect(group.errorMessage).toContain('offsets.topic.replication.factor=3');
      const txn = await findMany(client, 4, ['t'], CoordinatorType.TRANSACTION);
      expect(txn.coordinators[0]).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, nodeId: -1 });
      expect(txn.coordinators[0]!.errorMessage).toContain('transaction.state.log.replication.factor=3');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(cluster.controller.metadata.topics.size).toBe(0);
  });

  it('defaultsAndFencedLeader: 50 partitions by default; a coordinator whose broker is fenced is COORDINATOR_NOT_AVAILABLE', async () => {
    const twoBrokers = (cluster = await BrokerCluster.start({ brokers: 2, config: { 'offsets.topic.replication.factor': '1' } }));
    const client = await twoBrokers.client(1);
    expect((await findWhenReady(client, 'my-group')).errorCode).toBe(ErrorCode.NONE);
    expect(cluster.controller.metadata.topicByName('__consumer_offsets')!.partitions).toHaveLength(50);

    const partitions = cluster.controller.metadata.topicByName('__consumer_offsets')!.partitions;
    // 'my-group' is partition 12 of 50.
    expect((await findOne(client, 3, 'my-group')).nodeId).toBe(partitions[12]!.leader);
    const leaderOfKey = (key: string) => partitions[coordinatorPartition(key, 50)]!.leader;
    const keys = Array.from({ length: 20 }, (_, i) => `group-${i}`);
    expect(new Set(keys.map(leaderOfKey))).toEqual(new Set([1, 2]));
    const before = await findMany(client, 4, keys);
    expect(before.coordinators.map((c) => c.nodeId)).toEqual(keys.map(leaderOfKey));

    // The metadata's views are live: the leaders as they were before broker 2 stops.
    const leadersBefore = keys.map(leaderOfKey);
    await cluster.stopBroker(2);
    const deadline = Date.now() + 5_000;
    while (cluster.broker(1).services.metadata.isLive(2) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const after = await findMany(client, 4, keys);
    after.coordinators.forEach((c, i) => {
      if (leadersBefore[i] === 2) {
        expect(c, c.key).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, nodeId: -1, host: '', port: -1 });
        expect(c.errorMessage).toContain('has no live leader');
      } else {
        expect(c, c.key).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: 1, port: twoBrokers.port(1) });
      }
    });
  });
});
