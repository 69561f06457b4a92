import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, waitFor } from './cluster.test-support.js';
import { LogCapture } from './log-capture.test-support.js';
import { startCluster } from './start-cluster.js';
import type { Cluster } from './start-cluster.js';

const SESSION_TIMEOUT_MS = 1_000;
const HEARTBEAT_INTERVAL_MS = 200;

describe('pausing a broker', () => {
  let dataDir: string;
  let cluster: Cluster;
  const logs = new LogCapture();

  beforeAll(async () => {
    dataDir = await makeTempDir('cluster-pause');
    cluster = await startCluster({
      brokers: 3,
      dataDir,
      port: 0,
      logger: logs,
      // Kafka's broker configs, not the node options: the fence below pins that the node reads them.
      config: { 'broker.session.timeout.ms': String(SESSION_TIMEOUT_MS), 'broker.heartbeat.interval.ms': String(HEARTBEAT_INTERVAL_MS) },
      restartPolicy: { initialDelayMs: 50 },
    });
  });

  afterAll(async () => {
    await cluster?.stop();
    await removeDir(dataDir);
  });

  /** Whether broker `id` answers a kafkajs request within `timeoutMs`. */
  async function answers(id: number, timeoutMs: number): Promise<boolean> {
    const broker = cluster.brokers[id - 1]!;
    const admin = new Kafka({
      clientId: 'pause-test',
      brokers: [`${broker.host}:${broker.port}`],
      requestTimeout: timeoutMs,
      connectionTimeout: timeoutMs,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    }).admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return true;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async function broker(id: number) {
    return (await cluster.control.describe()).brokers[id - 1]!;
  }

  it('pausedBrokerAnswersNothingIsFencedAndRegistersAgainOnResume', async () => {
    expect(await answers(2, 2_000)).toBe(true);
    const epochBefore = (await cluster.control.describe()).controller.brokers.find((b) => b.brokerId === 2)!.brokerEpoch;
    const pausedAt = Date.now();
    await cluster.control.pauseBroker(2);
    expect((await broker(2)).state).toBe('paused');
    expect(await answers(2, 500)).toBe(false);
    await expect(cluster.control.pingLink(1, 2, 300)).rejects.toThrow(/did not answer 'PeerPing' within 300 ms/);
    await waitFor('the controller to fence paused broker 2', async () => !(await broker(2)).alive, 5 * SESSION_TIMEOUT_MS);
    // The session runs from the broker's last heartbeat, which came up to an interval before the pause.
    expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(SESSION_TIMEOUT_MS - HEARTBEAT_INTERVAL_MS - 100);
    expect(await answers(1, 2_000)).toBe(true);

    await cluster.control.resumeBroker(2);
    await waitFor('broker 2 to register again', async () => (await broker(2)).alive, 5_000);
    expect((await broker(2)).state).toBe('running');
    const epochAfter = (await cluster.control.describe()).controller.brokers.find((b) => b.brokerId === 2)!.brokerEpoch;
    expect(epochAfter).toBeGreaterThan(epochBefore);
    expect(await answers(2, 2_000)).toBe(true);
    await expect(cluster.control.pingLink(1, 2)).resolves.toBeGreaterThanOrEqual(0);
  });

  it('pauseAndResumeNameTheBrokerWhenRefused', async () => {
    await expect(cluster.control.resumeBroker(1)).rejects.toThrow(/broker 1 is not paused \(it is running\)/);
    await cluster.control.pauseBroker(1);
    await expect(cluster.control.pauseBroker(1)).rejects.toThrow(/cannot pause broker 1: it is already paused/);
    await expect(cluster.control.cutLink(1, 3)).rejects.toThrow(/broker 1 is paused: resume it before cutting or healing its links/);
    await expect(cluster.control.pauseBroker(9)).rejects.toThrow(/no broker 9: this node runs brokers 1, 2, 3/);
    await cluster.control.healAll();
    expect((await broker(1)).state).toBe('running');
  });

  it('aPausedBrokerCanBeCrashedAndComesBack', async () => {
    await cluster.control.pauseBroker(3);
    await cluster.control.crashBroker(3);
    await waitFor('broker 3 to run again', async () => {
      const b = await broker(3);
      return b.state === 'running' && b.alive;
    });
    expect(await answers(3, 2_000)).toBe(true);
  });

  it('theNodeStopsWithABrokerPaused', async () => {
    await cluster.control.pauseBroker(1);
    await expect(cluster.stop()).resolves.toBeUndefined();
  });
});
