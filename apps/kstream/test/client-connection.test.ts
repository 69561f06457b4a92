// @kstream/client's foundation against a real 3-broker node: bootstrap,
// metadata, broker connections across crashes and restarts, coordinators.
import { createServer } from 'node:net';
import { ClusterClient, KafkaConnectionError } from '@kstream/client';
import { ListGroups, Metadata, parseVersionRange } from '@kstream/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';

let cluster: CompatCluster;
const clients: ClusterClient[] = [];
const PARTITIONS = 3;
let topic: string;

beforeAll(async () => {
  cluster = await CompatCluster.start('client-connection');
  topic = topicName('client-connection');
  const admin = await cluster.admin();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 3 }], waitForLeaders: true });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await cluster?.stop();
});

function client(bootstrap: string | string[] = cluster.bootstrap): ClusterClient {
  const c = new ClusterClient({ bootstrap, requestTimeoutMs: 10_000, retryBackoffMs: 50, retryBackoffMaxMs: 200 });
  clients.push(c);
  return c;
}

function brokerIds(): number[] {
  return cluster.cluster.brokers.map((b) => b.id).sort();
}

/** A port nothing listens on. */
async function deadAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `127.0.0.1:${port}`;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('ClusterClient against a 3-broker node', () => {
  it('bootstrapsPastADeadAddress', async () => {
    const c = client([await deadAddress(), cluster.bootstrap.split(',')[1]!]);
    await c.connect();
    expect([...c.metadata.brokers.keys()].sort()).toEqual(brokerIds());
  });

  it('failsBootstrapNamingTheAddressesWhenNoneAnswers', async () => {
    const dead = await deadAddress();
    const c = new ClusterClient({ bootstrap: dead, requestTimeoutMs: 300, retryBackoffMs: 50 });
    clients.push(c);
    const error = await c.connect().catch((e: unknown) => e);
    expect((error as Error).message).toContain(dead);
    expect((error as Error).cause).toBeInstanceOf(KafkaConnectionError);
  });

  it('knowsBrokersLeadersAndIsr', async () => {
    const c = client();
    const metadata = await c.topic(topic);
    expect(metadata.partitions).toHaveLength(PARTITIONS);
    for (const p of metadata.partitions) {
      expect([...p.replicas].sort()).toEqual(brokerIds());
      expect(p.isr).toContain(p.leader);
      expect(await c.leaderFor(topic, p.partition)).toBe(p.leader);
    }
    expect(c.metadata.brokers.size).toBe(3);
    expect(c.metadata.clusterId).toBeTruthy();
    const unknown = await c.leaderFor(topicName('absent'), 0).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ errorName: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true });
  });

  it('listsEveryTopicAndFindsTheController', async () => {
    const c = client();
    const metadata = await c.refreshMetadata(null);
    expect(metadata.topics.get(topic)?.partitions).toHaveLength(PARTITIONS);
    const controller = await c.controller();
    expect(brokerIds()).toContain(controller.nodeId);
    // kstream speaks the newest Metadata protocol has a schema for.
    expect(controller.version(Metadata)).toBe(parseVersionRange(Metadata.validVersions).max);
  });

  it('findsPartitionsAndTopicsCreatedLater', async () => {
    const c = client();
    const later = topicName('client-connection-later');
    await expect(c.topic(later)).rejects.toMatchObject({ errorName: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true });
    const admin = await cluster.admin();
    await admin.createTopics({ topics: [{ topic: later, numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
    expect((await until('the new topic', () => c.topic(later))).partitions).toHaveLength(1);
    await admin.createPartitions({ topicPartitions: [{ topic: later, count: 3 }] });
    // An unknown partition makes leaderFor ask again, without an invalidate.
    expect(brokerIds()).toContain(await until('partition 2', () => c.leaderFor(later, 2)));
  });

  it('findsTheGroupCoordinator', async () => {
    const c = client();
    const coordinator = await c.coordinator('group', 'client-connection-group');
    expect(coordinator.connected).toBe(true);
    expect(brokerIds()).toContain(coordinator.nodeId);
    expect(await c.coordinator('group', 'client-connection-group')).toBe(coordinator);
  });

  it('followsTheLeaderOfACrashedBroker', async () => {
    const c = client();
    const oldLeader = await c.leaderFor(topic, 0);
    const connection = await c.broker(oldLeader);
    const closed = new Promise((resolve) => connection.onClose(resolve));
    await cluster.cluster.control.crashBroker(oldLeader);
    const newLeader = await until('a new leader for partition 0', async () => {
      c.invalidate(topic);
      const leader = await c.leaderFor(topic, 0);
      return leader !== oldLeader ? leader : undefined;
    });
    expect(newLeader).not.toBe(oldLeader);
    expect(await closed).toBeInstanceOf(Error);
    const leaderConnection = await c.broker(newLeader);
    const response = await leaderConnection.request(ListGroups, { statesFilter: [], typesFilter: [] });
    expect(response.errorCode).toBe(0);
    // The crashed broker comes back (the node's supervisor restarts it): broker(id) reconnects.
    const reconnected = await until(
      'a connection to the restarted broker',
      async () => {
        const again = await c.broker(oldLeader);
        return again !== connection && again.connected ? again : undefined;
      },
      30_000,
    );
    expect(reconnected.nodeId).toBe(oldLeader);
  }, 60_000);

  it('reconnectsAfterARestart', async () => {
    const c = client();
    const id = brokerIds()[1]!;
    const before = await c.broker(id);
    await cluster.cluster.control.restartBroker(id);
    const after = await until(`a new connection to broker ${id}`, async () => {
      const connection = await c.broker(id);
      return connection !== before ? connection : undefined;
    });
    expect(before.connected).toBe(false);
    expect((await after.request(ListGroups, { statesFilter: [], typesFilter: [] })).errorCode).toBe(0);
  }, 60_000);
});
