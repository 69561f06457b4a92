import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, waitFor } from './cluster.test-support.js';
import { LogCapture } from './log-capture.test-support.js';
import { startCluster } from './start-cluster.js';
import type { Cluster } from './start-cluster.js';

describe('broker-pair channels', () => {
  let dataDir: string;
  let cluster: Cluster;
  const logs = new LogCapture();

  beforeAll(async () => {
    dataDir = await makeTempDir('cluster-peers');
    cluster = await startCluster({ brokers: 3, dataDir, port: 0, logger: logs, restartPolicy: { initialDelayMs: 50 } });
  });

  afterAll(async () => {
    await cluster?.stop();
    await removeDir(dataDir);
  });

  it('everyPairHasAChannelBothWays', async () => {
    for (const [from, to] of [
      [1, 2],
      [2, 1],
      [1, 3],
      [3, 1],
      [2, 3],
      [3, 2],
    ] as const) {
      await expect(cluster.control.pingLink(from, to), `broker ${from} -> broker ${to}`).resolves.toBeGreaterThanOrEqual(0);
    }
  });

  it('aRestartedBrokerIsPairedAgainWithTheSurvivors', async () => {
    await cluster.control.crashBroker(2);
    await expect(cluster.control.pingLink(1, 2)).rejects.toThrow(/broker 1 has no channel to broker 2/);
    await waitFor('broker 2 to run again', async () => (await cluster.control.describe()).brokers[1]!.state === 'running');
    for (const [from, to] of [
      [1, 2],
      [3, 2],
      [2, 1],
      [2, 3],
    ] as const) {
      await expect(cluster.control.pingLink(from, to), `broker ${from} -> broker ${to}`).resolves.toBeGreaterThanOrEqual(0);
    }
  });

  it('aCleanRestartIsPairedAgainToo', async () => {
    await cluster.control.restartBroker(3);
    await expect(cluster.control.pingLink(1, 3)).resolves.toBeGreaterThanOrEqual(0);
    await expect(cluster.control.pingLink(3, 2)).resolves.toBeGreaterThanOrEqual(0);
  });
});
