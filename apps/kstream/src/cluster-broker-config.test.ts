import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, openConnection, removeDir } from './cluster.test-support.js';
import { LogCapture } from './log-capture.test-support.js';
import { startCluster } from './start-cluster.js';
import type { Cluster } from './start-cluster.js';

// Kafka's DescribeConfigs ConfigSource for a value from the broker's start configuration.
const STATIC_BROKER_CONFIG = 4;

describe('startCluster with broker configs', () => {
  let dataDir: string;
  let cluster: Cluster;
  let admin: Admin;
  const logs = new LogCapture();

  beforeAll(async () => {
    dataDir = await makeTempDir('cluster-broker-config');
    cluster = await startCluster({
      brokers: 2,
      dataDir,
      port: 0,
      config: { 'num.partitions': '3', 'socket.request.max.bytes': '65536' },
      logger: logs,
    });
    admin = new Kafka({ brokers: cluster.bootstrap.split(','), clientId: 'broker-config-test', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await cluster?.stop();
    await removeDir(dataDir);
  });

  it('controllerDefaults: a topic created without a partition count gets num.partitions', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'defaults' }], waitForLeaders: false })).toBe(true);
    const { topics } = await admin.fetchTopicMetadata({ topics: ['defaults'] });
    expect(topics[0]!.partitions).toHaveLength(3);
  });

  it('describeConfigs: every broker shows the static configs as STATIC_BROKER_CONFIG', async () => {
    for (const { id } of cluster.brokers) {
      const { resources } = await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.BROKER, name: String(id), configNames: ['num.partitions'] }],
        includeSynonyms: false,
      });
      expect(resources[0]!.configEntries).toEqual([expect.objectContaining({ configName: 'num.partitions', configValue: '3', configSource: STATIC_BROKER_CONFIG })]);
    }
  });

  it('internalTopicsSizedToTheNode: a 2-broker node not told otherwise gives __consumer_offsets replication factor 2', async () => {
    const { resources } = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: ['offsets.topic.replication.factor'] }],
      includeSynonyms: false,
    });
    expect(resources[0]!.configEntries).toEqual([expect.objectContaining({ configName: 'offsets.topic.replication.factor', configValue: '2' })]);
  });

  it('everyBrokerWorker applies the static config: a request size above socket.request.max.bytes closes the connection', async () => {
    for (const broker of cluster.brokers) {
      const socket = await openConnection(broker.port);
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const size = Buffer.alloc(4);
      // Only the size prefix: the default limit (100 MiB) would wait for the bytes it announces.
      size.writeInt32BE(65537);
      socket.write(size);
      const outcome = await Promise.race([closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), 5_000))]);
      socket.destroy();
      expect(outcome, `broker ${broker.id}`).toBe('closed');
      expect(logs.lines, `broker ${broker.id}`).toContainEqual(
        expect.stringMatching(new RegExp(`^WARN broker ${broker.id}: closing connection .*frame size 65537 exceeds the limit of 65536 bytes`)),
      );
    }
  });
});
