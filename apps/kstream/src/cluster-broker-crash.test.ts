import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accepts, makeTempDir, openConnection, removeDir, waitFor } from './cluster.test-support.js';
import { LogCapture } from './log-capture.test-support.js';
import { startCluster } from './start-cluster.js';
import type { Cluster } from './start-cluster.js';

describe('a broker crash', () => {
  let dataDir: string;
  let cluster: Cluster;
  const logs = new LogCapture();

  beforeAll(async () => {
    dataDir = await makeTempDir('cluster-crash');
    cluster = await startCluster({ brokers: 3, dataDir, port: 0, logger: logs });
  });

  afterAll(async () => {
    await cluster?.stop();
    await removeDir(dataDir);
  });

  it('crashAndRestart: the crash is reported, the broker comes back on its port and re-registers, the others stay up', async () => {
    const before = await cluster.control.describe();
    const epochBefore = before.controller.brokers.find((b) => b.brokerId === 2)!.brokerEpoch;
    // Connections to the other brokers must survive broker 2's crash.
    const survivors: Socket[] = await Promise.all([openConnection(cluster.brokers[0]!.port), openConnection(cluster.brokers[2]!.port)]);
    let survivorClosed = false;
    for (const s of survivors) s.once('close', () => (survivorClosed = true));

    await cluster.control.crashBroker(2);
    const crashed = (await cluster.control.describe()).brokers[1]!;
    expect(crashed.lastCrash).not.toBeNull();
    expect(crashed.alive).toBe(false);
    expect(crashed.state).not.toBe('running');
    expect(await logs.find((line) => line.startsWith('ERROR broker 2 crashed (exit code 1); restarting it'))).not.toBeNull();
    expect(logs.lines.filter((line) => line.startsWith('ERROR'))).toHaveLength(1);

    await waitFor('broker 2 to run again', async () => {
      const b = (await cluster.control.describe()).brokers[1]!;
      return b.state === 'running' && b.alive;
    });
    const after = await cluster.control.describe();
    expect(after.brokers.map((b) => [b.id, b.port, b.restarts])).toEqual([
      [1, cluster.brokers[0]!.port, 0],
      [2, cluster.brokers[1]!.port, 1],
      [3, cluster.brokers[2]!.port, 0],
    ]);
    const registration = after.controller.brokers.find((b) => b.brokerId === 2)!;
    expect(registration.fenced).toBe(false);
    expect(registration.brokerEpoch).toBeGreaterThan(epochBefore);
    expect(await accepts(cluster.brokers[1]!.port)).toBe(true);
    expect(after.brokers.filter((b) => b.id !== 2).every((b) => b.alive && b.state === 'running')).toBe(true);
    expect(survivorClosed).toBe(false);
    for (const s of survivors) s.destroy();
  });

  it('restartBroker: a clean restart closes its connections and brings it back on the same port', async () => {
    const client = await openConnection(cluster.brokers[2]!.port);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await cluster.control.restartBroker(3);
    await closed;
    const broker3 = (await cluster.control.describe()).brokers[2]!;
    expect([broker3.state, broker3.alive, broker3.port, broker3.lastCrash]).toEqual(['running', true, cluster.brokers[2]!.port, null]);
    expect(await accepts(cluster.brokers[2]!.port)).toBe(true);
  });

  it('unknownBroker: crashing a broker the node does not run names the brokers it does', async () => {
    await expect(cluster.control.crashBroker(7)).rejects.toThrow(/no broker 7: this node runs brokers 1, 2, 3/);
  });
});
