import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accepts, makeTempDir, removeDir } from './cluster.test-support.js';
import { ephemeralPortRange } from './ephemeral-ports.js';
import { LogCapture } from './log-capture.test-support.js';
import { startCluster } from './start-cluster.js';
import type { Cluster } from './start-cluster.js';

describe('startCluster', () => {
  let dataDir: string;
  let cluster: Cluster;
  const logs = new LogCapture();

  beforeAll(async () => {
    dataDir = await makeTempDir('cluster-start');
    cluster = await startCluster({ brokers: 3, dataDir, port: 0, logger: logs });
  });

  afterAll(async () => {
    await cluster?.stop();
    await removeDir(dataDir);
  });

  it('threeBrokers: ids 1..3, distinct ports, and a bootstrap listing them all', () => {
    expect(cluster.brokers.map((b) => b.id)).toEqual([1, 2, 3]);
    expect(new Set(cluster.brokers.map((b) => b.port)).size).toBe(3);
    expect(cluster.bootstrap).toBe(cluster.brokers.map((b) => `127.0.0.1:${b.port}`).join(','));
  });

  // A port inside the ephemeral range can be held by a client's self-connected
  // socket while its broker is down, delaying the broker's restart.
  it('portZeroPicksPortsOutsideTheEphemeralRange', () => {
    const { first, last } = ephemeralPortRange();
    for (const { id, port } of cluster.brokers) expect(port < first || port > last, `broker ${id} port ${port}`).toBe(true);
  });

  it('brokerLogsReachTheNodeLogger: each broker thread logs through the node, to the logger startCluster was given', () => {
    for (const { id, port } of cluster.brokers) {
      expect(logs.lines).toContainEqual(expect.stringMatching(new RegExp(`^INFO broker ${id}: listening on 127\\.0\\.0\\.1:${port} `)));
    }
    expect(logs.lines.filter((line) => !line.startsWith('INFO'))).toEqual([]);
  });

  it('everyPortAccepts a TCP connection', async () => {
    for (const broker of cluster.brokers) expect(await accepts(broker.port), `broker ${broker.id}`).toBe(true);
  });

  it('brokerDirs: each broker has its directory with a meta.properties naming it and the cluster', async () => {
    const { clusterId } = await cluster.control.describe();
    for (const { id } of cluster.brokers) {
      const text = await readFile(join(dataDir, `broker-${id}`, 'meta.properties'), 'utf8');
      expect(text).toContain(`broker.id=${id}\n`);
      expect(text).toContain(`cluster.id=${clusterId}\n`);
    }
    expect((await stat(join(dataDir, 'controller', 'metadata.log'))).size).toBeGreaterThan(0);
  });

  it('controllerListsLiveBrokers: three registered, unfenced brokers at their ports', async () => {
    const { brokers, controller } = await cluster.control.describe();
    expect(controller.brokers.map((b) => [b.brokerId, b.port, b.fenced])).toEqual(cluster.brokers.map((b) => [b.id, b.port, false]));
    expect(brokers.map((b) => [b.id, b.state, b.alive, b.restarts])).toEqual([
      [1, 'running', true, 0],
      [2, 'running', true, 0],
      [3, 'running', true, 0],
    ]);
  });

  it("heapUsage: the main thread's heap and each running broker's, collected only where gc() is exposed", async () => {
    const { main, brokers } = await cluster.control.heapUsage({ collectGarbage: true });
    const exposed = typeof globalThis.gc === 'function';
    expect(brokers.map((b) => [b.id, b.collected])).toEqual(cluster.brokers.map((b) => [b.id, exposed]));
    expect(main.collected).toBe(exposed);
    for (const heap of [main, ...brokers]) expect(heap.usedBytes).toBeGreaterThan(0);
    // Capped (BROKER_RESOURCE_LIMITS): uncapped, a broker's had grown to 8 MiB by now, and grows to 32 MiB under load.
    for (const heap of brokers) expect(heap.youngGenerationBytes, `broker ${heap.id}'s young generation`).toBeLessThanOrEqual(6 * 1024 * 1024);
  });
});
