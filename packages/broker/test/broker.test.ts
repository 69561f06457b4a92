import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ApiVersions } from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerCluster } from './broker-cluster.test-support.js';

let cluster: BrokerCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('Broker', () => {
  it('metadataGapReregisters: an update that skips records makes the broker register again and load a fresh snapshot', async () => {
    cluster = await BrokerCluster.start();
    const broker = cluster.broker(1);
    const epoch = cluster.controller.describe().brokers[0]!.brokerEpoch;
    const applied = broker.services.metadata.appliedOffset;
    broker.handleControllerMessage({
      type: 'MetadataUpdate',
      records: [{ type: 'Topic', name: 'from-the-future', topicId: '00000000-0000-0000-0000-00000000000f' }],
      lastOffset: applied + 10,
    });
    expect(broker.services.metadata.topicByName('from-the-future')).toBeUndefined();
    await expect.poll(() => cluster!.controller.describe().brokers[0]!.brokerEpoch).toBeGreaterThan(epoch);
    await expect.poll(() => broker.services.metadata.appliedOffset).toBe(cluster.controller.describe().metadataOffset - 1);
  });

  it('shutdownClosesConnectionsThenPartitions: clients are disconnected and the hosted partitions write their checkpoints', async () => {
    cluster = await BrokerCluster.start();
    const kafka = new Kafka({ clientId: 'shutdown-test', brokers: cluster.bootstrap, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    await producer.send({ topic: 'kept', messages: [{ value: 'one' }, { value: 'two' }] });
    await producer.disconnect();
    const client = await cluster.client();
    expect((await client.request(ApiVersions, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' })).errorCode).toBe(0);

    await cluster.stopBroker(1);
    await client.closed;
    const checkpoint = await readFile(join(cluster.dir, 'broker-1', 'replication-offset-checkpoint'), 'utf8');
    expect(checkpoint).toContain('kept 0 2');
  });
});
