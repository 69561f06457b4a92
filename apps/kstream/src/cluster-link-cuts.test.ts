import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, waitFor } from './cluster.test-support.js';
import { LogCapture } from './log-capture.test-support.js';
import { startCluster } from './start-cluster.js';
import type { Cluster } from './start-cluster.js';

const SESSION_TIMEOUT_MS = 1_000;

describe('cutting a channel', () => {
  let dataDir: string;
  let cluster: Cluster;
  const logs = new LogCapture();

  beforeAll(async () => {
    dataDir = await makeTempDir('cluster-cuts');
    cluster = await startCluster({
      brokers: 3,
      dataDir,
      port: 0,
      logger: logs,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: 200,
      restartPolicy: { initialDelayMs: 50 },
    });
  });

  afterAll(async () => {
    await cluster?.stop();
    await removeDir(dataDir);
  });

  async function broker(id: number) {
    return (await cluster.control.describe()).brokers[id - 1]!;
  }

  async function brokerEpoch(id: number): Promise<number> {
    return (await cluster.control.describe()).controller.brokers.find((b) => b.brokerId === id)!.brokerEpoch;
  }

  it('aCutLinkTimesOutBothWaysAndWorksAfterHeal', async () => {
    await cluster.control.cutLink(1, 2);
    await expect(cluster.control.pingLink(1, 2, 200)).rejects.toThrow(/did not answer 'PeerPing' within 200 ms/);
    await expect(cluster.control.pingLink(2, 1, 200)).rejects.toThrow(/did not answer 'PeerPing' within 200 ms/);
    await expect(cluster.control.pingLink(1, 3)).resolves.toBeGreaterThanOrEqual(0);
    await expect(cluster.control.pingLink(2, 3)).resolves.toBeGreaterThanOrEqual(0);
    expect((await cluster.control.describe()).brokers.map((b) => [b.id, b.cutLinks])).toEqual([
      [1, [2]],
      [2, [1]],
      [3, []],
    ]);

    await cluster.control.healLink(2, 1);
    await expect(cluster.control.pingLink(1, 2)).resolves.toBeGreaterThanOrEqual(0);
    await expect(cluster.control.pingLink(2, 1)).resolves.toBeGreaterThanOrEqual(0);
    expect((await broker(1)).cutLinks).toEqual([]);
  });

  it('aCutLinkStaysCutAcrossARestart', async () => {
    await cluster.control.cutLink(3, 2);
    await cluster.control.crashBroker(2);
    await waitFor('broker 2 to run again', async () => (await broker(2)).state === 'running');
    await expect(cluster.control.pingLink(3, 2, 200)).rejects.toThrow(/within 200 ms/);
    await expect(cluster.control.pingLink(2, 3, 200)).rejects.toThrow(/within 200 ms/);
    await expect(cluster.control.pingLink(1, 2)).resolves.toBeGreaterThanOrEqual(0);
    await cluster.control.healLink(2, 3);
    await expect(cluster.control.pingLink(3, 2)).resolves.toBeGreaterThanOrEqual(0);
  });

  it('aBrokerCutFromTheControllerIsFencedAndRegistersAgainAfterHeal', async () => {
    const epochBefore = await brokerEpoch(3);
    await cluster.control.cutController(3);
    expect((await broker(3)).controllerCut).toBe(true);
    await waitFor('the controller to fence broker 3', async () => !(await broker(3)).alive, 5 * SESSION_TIMEOUT_MS);
    expect((await broker(3)).state).toBe('running');
    // Its links to the other brokers are untouched.
    await expect(cluster.control.pingLink(3, 1)).resolves.toBeGreaterThanOrEqual(0);

    await cluster.control.healController(3);
    await waitFor('broker 3 to register again', async () => (await broker(3)).alive, 5_000);
    expect(await brokerEpoch(3)).toBeGreaterThan(epochBefore);
    expect((await broker(3)).controllerCut).toBe(false);
  });

  it('healAllHealsEveryCutAndResumesEveryPause', async () => {
    await cluster.control.cutLink(1, 3);
    await cluster.control.cutController(2);
    await cluster.control.pauseBroker(3);
    await cluster.control.healAll();
    const { brokers } = await cluster.control.describe();
    expect(brokers.map((b) => [b.id, b.state, b.cutLinks, b.controllerCut])).toEqual([
      [1, 'running', [], false],
      [2, 'running', [], false],
      [3, 'running', [], false],
    ]);
    await expect(cluster.control.pingLink(1, 3)).resolves.toBeGreaterThanOrEqual(0);
  });

  it('cutsNameTheBrokersWhenRefused', async () => {
    await expect(cluster.control.cutLink(1, 1)).rejects.toThrow(/broker 1 has no link to itself/);
    await expect(cluster.control.cutLink(1, 5)).rejects.toThrow(/no broker 5: this node runs brokers 1, 2, 3/);
    await expect(cluster.control.cutController(0)).rejects.toThrow(/no broker 0/);
  });
});
