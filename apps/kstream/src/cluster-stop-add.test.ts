import { Kafka, logLevel } from 'kafkajs';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accepts, makeTempDir, removeDir } from './cluster.test-support.js';
import { LogCapture } from './log-capture.test-support.js';
import { startCluster } from './start-cluster.js';
import type { Cluster } from './start-cluster.js';

describe('stopping, starting and adding brokers', () => {
  let dataDir: string;
  let cluster: Cluster;
  let admin: Admin;
  const logs = new LogCapture();

  beforeAll(async () => {
    dataDir = await makeTempDir('cluster-stop-add');
    cluster = await startCluster({ brokers: 3, dataDir, port: 0, logger: logs, sessionTimeoutMs: 1_000, heartbeatIntervalMs: 200 });
    admin = new Kafka({ clientId: 'stop-add-test', brokers: [cluster.bootstrap.split(',')[0]!], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await cluster?.stop();
    await removeDir(dataDir);
  });

  async function broker(id: number) {
    return (await cluster.control.describe()).brokers.find((b) => b.id === id)!;
  }

  it('aStoppedBrokerStaysDownUntilStartedOnItsPort', async () => {
    await admin.createTopics({ topics: [{ topic: 'moved-on-stop', numPartitions: 3, replicationFactor: 3 }] });
    const from = logs.lines.length;
    await cluster.control.stopBroker(2);
    expect(await broker(2)).toMatchObject({ state: 'stopped', alive: false, lastCrash: null });
    expect(await accepts(cluster.brokers[1]!.port)).toBe(false);
    // The controller answered its controlled shutdown: no leadership left behind on broker 2.
    expect(logs.lines.slice(from).filter((line) => line.startsWith('WARN') && line.includes('controlled shutdown'))).toEqual([]);
    const { topics } = await admin.fetchTopicMetadata({ topics: ['moved-on-stop'] });
    expect(topics[0]!.partitions.map((p) => p.leader).filter((leader) => leader === 2)).toEqual([]);
    // Not restarted by the supervisor.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await broker(2)).state).toBe('stopped');
    await expect(cluster.control.stopBroker(2)).rejects.toThrow(/broker 2 is not running \(it is stopped\)/);
    await expect(cluster.control.pingLink(1, 2, 200)).rejects.toThrow(/broker 1 has no channel to broker 2/);

    await cluster.control.startBroker(2);
    expect(await broker(2)).toMatchObject({ state: 'running', alive: true, port: cluster.brokers[1]!.port });
    await expect(cluster.control.pingLink(1, 2)).resolves.toBeGreaterThanOrEqual(0);
    await expect(cluster.control.startBroker(2)).rejects.toThrow(/broker 2 is already running/);
  });

  it('anAddedBrokerJoinsTheClusterAndTakesReplicasOfNewTopics', async () => {
    const added = await cluster.control.addBroker();
    expect(added.id).toBe(4);
    expect(added.host).toBe('127.0.0.1');
    expect(cluster.brokers.map((b) => b.port)).not.toContain(added.port);
    expect(await broker(4)).toMatchObject({ state: 'running', alive: true, port: added.port });
    for (const peer of [1, 2, 3]) {
      await expect(cluster.control.pingLink(4, peer)).resolves.toBeGreaterThanOrEqual(0);
      await expect(cluster.control.pingLink(peer, 4)).resolves.toBeGreaterThanOrEqual(0);
    }

    const { brokers } = await admin.describeCluster();
    expect(brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3, 4]);
    expect(brokers.find((b) => b.nodeId === 4)!.port).toBe(added.port);
    await admin.createTopics({ topics: [{ topic: 'on-four', numPartitions: 2, replicationFactor: 4 }] });
    const { topics } = await admin.fetchTopicMetadata({ topics: ['on-four'] });
    for (const partition of topics[0]!.partitions) expect([...partition.replicas].sort()).toEqual([1, 2, 3, 4]);
  });
});
