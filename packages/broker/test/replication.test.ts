import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import type { PartitionLog } from '@kstream/log-storage';
import { CreateTopics } from '@kstream/protocol';
import { BrokerCluster } from './broker-cluster.test-support.js';

let cluster: BrokerCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

async function createTopic(c: BrokerCluster, name: string, replicas: number[], configs: { name: string; value: string }[] = []): Promise<void> {
  const client = await c.client(replicas[0]);
  const created = await client.request(CreateTopics, 4, {
    topics: [{ name, numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: replicas }], configs }],
    timeoutMs: 5_000,
    validateOnly: false,
  });
  expect(created.topics[0]!.errorCode).toBe(0);
}

async function logBytes(log: PartitionLog): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const read = await log.read(offset, { maxBytes: 1 << 20 });
    parts.push(Buffer.from(read.records));
    offset = read.nextOffset;
  }
  return Buffer.concat(parts);
}

describe('replication between brokers', () => {
  it('acksAllReplicatedToFollowerAndFailsOver: kafkajs acks=-1 is on both logs byte-identical; the follower leads after the leader stops', async () => {
    cluster = await BrokerCluster.start({ brokers: 2, config: { 'replica.fetch.wait.max.ms': '100' } });
    await createTopic(cluster, 'replicated', [1, 2], [{ name: 'min.insync.replicas', value: '2' }]);
    const c = cluster;
    await expect.poll(() => c.broker(2).services.partitions.partition('replicated', 0)?.state.leader).toBe(1);
    const kafka = new Kafka({ clientId: 'replication-test', brokers: c.bootstrap, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const [sent] = await producer.send({ topic: 'replicated', acks: -1, messages: [{ value: 'one' }, { value: 'two' }] });
      expect(sent!.errorCode).toBe(0);
      const leader = c.broker(1).services.partitions.partition('replicated', 0)!;
      const follower = c.broker(2).services.partitions.partition('replicated', 0)!;
      expect(follower.logEndOffset).toBe(2n);
      expect(leader.highWatermark).toBe(2n);
      expect((await logBytes(follower.log)).equals(await logBytes(leader.log))).toBe(true);
      await expect.poll(() => follower.highWatermark).toBe(2n);

      await c.stopBroker(1);
      await expect.poll(() => follower.state.leader).toBe(2);
      expect(follower.logEndOffset).toBe(2n);
    } finally {
      await producer.disconnect();
    }
  });

  it('restartedBrokerCatchesUpAndRejoinsIsr: a broker that missed appends truncates, fetches them and the controller puts it back in the ISR', async () => {
    cluster = await BrokerCluster.start({ brokers: 2, config: { 'replica.fetch.wait.max.ms': '100', 'replica.fetch.backoff.ms': '50' } });
    await createTopic(cluster, 'rejoin', [1, 2]);
    const c = cluster;
    // Both brokers host the partition before the follower stops: each applies the topic's metadata on its own.
    await expect.poll(() => [1, 2].map((id) => c.broker(id).services.partitions.partition('rejoin', 0)?.state.leader)).toEqual([1, 1]);
    await c.stopBroker(2);
    const leader = c.broker(1).services.partitions.partition('rejoin', 0)!;
    await expect.poll(() => leader.state.isr).toEqual([1]);
    const kafka = new Kafka({ clientId: 'replication-test', brokers: c.bootstrap, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic: 'rejoin', acks: -1, messages: [{ value: 'while 2 was away' }] });
    } finally {
      await producer.disconnect();
    }
    await c.startBroker(2);
    const follower = c.broker(2).services.partitions.partition('rejoin', 0);
    await expect.poll(() => c.broker(2).services.partitions.partition('rejoin', 0)?.logEndOffset, { timeout: 10_000 }).toBe(1n);
    await expect.poll(() => leader.state.isr, { timeout: 10_000 }).toEqual([1, 2]);
    expect(follower === undefined || follower.name === 'rejoin-0').toBe(true);
  });
});
