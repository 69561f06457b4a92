import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, waitFor } from './cluster.test-support.js';
import { LogCapture } from './log-capture.test-support.js';
import { startCluster } from './start-cluster.js';
import type { Cluster } from './start-cluster.js';

describe('replication across broker workers', () => {
  let dataDir: string;
  let cluster: Cluster;
  const logs = new LogCapture();

  beforeAll(async () => {
    dataDir = await makeTempDir('cluster-replication');
    cluster = await startCluster({ brokers: 3, dataDir, port: 0, logger: logs, config: { 'min.insync.replicas': '2' } });
  });

  afterAll(async () => {
    await cluster?.stop();
    await removeDir(dataDir);
  });

  it('acksAllSurvivesLeaderCrash: records acknowledged with acks=-1 before and after the leader crashes are all read back in order', async () => {
    const kafka = new Kafka({ clientId: 'replication', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 50 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'replicated', numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
    const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
    await producer.connect();
    const acknowledged: string[] = [];
    const sendOne = async (value: string): Promise<void> => {
      await producer.send({ topic: 'replicated', acks: -1, messages: [{ value }] });
      acknowledged.push(value);
    };
    for (let i = 0; i < 10; i++) await sendOne(`before-${i}`);
    const [metadata] = (await admin.fetchTopicMetadata({ topics: ['replicated'] })).topics;
    const leader = metadata!.partitions[0]!.leader;
    await cluster.control.crashBroker(leader);
    for (let i = 0; i < 10; i++) await sendOne(`after-${i}`);
    await waitFor(
      'the crashed broker back in the ISR',
      async () => {
        const [t] = (await admin.fetchTopicMetadata({ topics: ['replicated'] })).topics;
        return t!.partitions[0]!.isr.length === 3;
      },
      30_000,
    );

    const offsets = await admin.fetchTopicOffsets('replicated');
    await producer.disconnect();
    await admin.disconnect();
    expect(offsets[0]!.high).toBe(String(acknowledged.length));
    // kcat reads from the current leader.
    const { stdout } = await promisify(execFile)('kcat', ['-C', '-b', cluster.bootstrap, '-t', 'replicated', '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\\n']);
    expect(stdout.trim().split('\n')).toEqual(acknowledged);
    // Every replica, the restarted one included, holds the same bytes.
    const segment = (id: number) => readFile(join(dataDir, `broker-${id}`, 'replicated-0', '00000000000000000000.log'));
    await waitFor('every replica holding every record', async () => new Set((await Promise.all([1, 2, 3].map(segment))).map((b) => b.length)).size === 1);
    const [one, two, three] = await Promise.all([1, 2, 3].map(segment));
    expect(one!.length).toBeGreaterThan(0);
    expect(one!.equals(two!) && one!.equals(three!)).toBe(true);
  }, 90_000);

  it('twoOfThreeDownRefusesAcksAllServesAcksOne: NOT_ENOUGH_REPLICAS before appending, acks=1 still served, nothing acknowledged that is not on the survivor', async () => {
    const setup = new Kafka({ clientId: 'two-down', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const setupAdmin = setup.admin();
    await setupAdmin.connect();
    await setupAdmin.createTopics({ topics: [{ topic: 'two-down', numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
    const survivor = (await setupAdmin.fetchTopicMetadata({ topics: ['two-down'] })).topics[0]!.partitions[0]!.leader;
    await setupAdmin.disconnect();
    const others = [1, 2, 3].filter((id) => id !== survivor);
    for (const id of others) await cluster.control.stopBroker(id);
    // Only the survivor is asked: the stopped brokers refuse connections.
    const kafka = new Kafka({ clientId: 'two-down', brokers: [`127.0.0.1:${cluster.brokers[survivor - 1]!.port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin = kafka.admin();
    await admin.connect();
    const partitionOf = async () => (await admin.fetchTopicMetadata({ topics: ['two-down'] })).topics[0]!.partitions[0]!;
    await waitFor('the ISR down to the survivor', async () => (await partitionOf()).isr.join() === String(survivor), 30_000);
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    try {
      await expect(producer.send({ topic: 'two-down', acks: -1, messages: [{ value: 'refused' }] })).rejects.toMatchObject({ cause: { type: 'NOT_ENOUGH_REPLICAS' } });
      const [served] = await producer.send({ topic: 'two-down', acks: 1, messages: [{ value: 'served' }] });
      expect(served!.errorCode).toBe(0);
      const offsets = await admin.fetchTopicOffsets('two-down');
      expect(offsets[0]!.high).toBe('1');
    } finally {
      await producer.disconnect();
      await admin.disconnect();
      for (const id of others) await cluster.control.startBroker(id);
    }
  }, 90_000);
});
