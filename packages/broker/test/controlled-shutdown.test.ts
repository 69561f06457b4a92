import { CreateTopics } from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerCluster } from './broker-cluster.test-support.js';

let cluster: BrokerCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('Broker shutdown', () => {
  it('shutdownMovesLeadershipsBeforeTheBrokerIsFenced: the controller hands broker 1 leaderships to broker 2 while 1 is still registered', async () => {
    cluster = await BrokerCluster.start({ brokers: 2 });
    const client = await cluster.client(2);
    const created = await client.request(CreateTopics, 4, {
      topics: [{ name: 'led-by-one', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }], configs: [] }],
      timeoutMs: 5_000,
      validateOnly: false,
    });
    expect(created.topics[0]!.errorCode).toBe(0);
    const survivor = cluster.broker(2).services.metadata;
    await expect.poll(() => survivor.leaderFor('led-by-one', 0)).toBe(1);

    // Shut down without the node's detach: only the broker's own controlled shutdown can move the leadership.
    await cluster.broker(1).shutdown();
    expect(cluster.controller.describe().brokers.find((b) => b.brokerId === 1)!.fenced).toBe(false);
    await expect.poll(() => survivor.leaderFor('led-by-one', 0)).toBe(2);
  });
});
