import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, openConnection, removeDir } from './cluster.test-support.js';
import { startCluster } from './start-cluster.js';
import type { Cluster } from './start-cluster.js';

describe('startCluster with broker configs', () => {
  let dataDir: string;
  let cluster: Cluster;

  beforeAll(async () => {
    dataDir = await makeTempDir('cluster-broker-config');
    cluster = await startCluster({ brokers: 2, dataDir, port: 0, config: { 'socket.request.max.bytes': '1024' } });
  });

  afterAll(async () => {
    await cluster?.stop();
    await removeDir(dataDir);
  });

  it('everyBrokerWorker applies the static config: a request size above socket.request.max.bytes closes the connection', async () => {
    for (const broker of cluster.brokers) {
      const socket = await openConnection(broker.port);
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const size = Buffer.alloc(4);
      // Only the size prefix: the default limit (100 MiB) would wait for 2048 more bytes.
      size.writeInt32BE(2048);
      socket.write(size);
      const outcome = await Promise.race([closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), 5_000))]);
      socket.destroy();
      expect(outcome, `broker ${broker.id}`).toBe('closed');
    }
  });
});
