import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ApiVersions, CreateTopics, encodeRecordBatch, ErrorCode, FindCoordinator, ListOffsets, Produce, responseCorrelationId } from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { packMetadataBatch } from '@kstream/metadata';
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
      batch: await packMetadataBatch([{ type: 'Topic', name: 'from-the-future', topicId: '00000000-0000-0000-0000-00000000000f' }]),
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

describe('Broker group coordinator', () => {
  it('shutdownClosesTheGroupCoordinator: the coordinator leading __consumer_offsets serves until the broker stops, then answers COORDINATOR_NOT_AVAILABLE', async () => {
    cluster = await BrokerCluster.start({ config: { 'offsets.topic.num.partitions': '1', 'offsets.topic.replication.factor': '1' } });
    const client = await cluster.client();
    await expect.poll(async () => (await client.request(FindCoordinator, 4, { key: '', keyType: 0, coordinatorKeys: ['g'] })).coordinators[0]!.errorCode).toBe(ErrorCode.NONE);
    const { groups } = cluster.broker(1).services;
    const list = () => groups.listGroups({ statesFilter: [], typesFilter: [] }, { apiVersion: 4, clientId: 'test', clientHost: '/127.0.0.1' });
    await expect.poll(async () => (await list()).errorCode).toBe(ErrorCode.NONE);

    await cluster.stopBroker(1);
    expect((await list()).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });
});

describe('Broker pipelining', () => {
  it('pipelinedProduce: produces written at once are answered in order; the acks=0 one in the middle gets no response but is stored', async () => {
    cluster = await BrokerCluster.start();
    const client = await cluster.client();
    await client.request(CreateTopics, 7, {
      topics: [{ name: 'piped', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5_000,
      validateOnly: false,
    });
    const sent = [];
    for (let i = 0; i < 9; i++) {
      const records = await encodeRecordBatch({ records: [{ key: null, value: Buffer.from(`record ${i}`) }] });
      const acks = i === 4 ? 0 : -1;
      sent.push(client.frame(Produce, 7, { transactionalId: null, acks, timeoutMs: 5_000, topicData: [{ name: 'piped', partitionData: [{ index: 0, records }] }] }));
    }
    const versions = client.frame(ApiVersions, 2, { clientSoftwareName: '', clientSoftwareVersion: '' });
    client.write(...sent.map((s) => s.frame), versions.frame);

    // The first frame answered CreateTopics.
    const frames = (await client.waitForFrames(10)).slice(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.frames).toHaveLength(10);
    const expected = [...sent.filter((_, i) => i !== 4), versions].map((s) => s.correlationId);
    expect(frames.map(responseCorrelationId)).toEqual(expected);
    const offsets = await client.request(ListOffsets, 5, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 'piped', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }],
    });
    expect(offsets.topics[0]!.partitions[0]!.offset).toBe(9n);
  });
});
