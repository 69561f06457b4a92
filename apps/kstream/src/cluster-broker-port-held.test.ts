import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accepts, makeTempDir, removeDir, waitFor } from './cluster.test-support.js';
import { LogCapture } from './log-capture.test-support.js';
import { startCluster } from './start-cluster.js';
import type { Cluster } from './start-cluster.js';

/**
 * Binds `port` as soon as it is free, polling: the way a client's socket
 * takes a crashed broker's port before the broker is restarted (a TCP
 * self-connect, in real life).
 */
async function holdPortOnceFree(port: number): Promise<Server> {
  for (;;) {
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve(true));
    });
    if (bound) return server;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('a crashed broker whose port is held by another socket', () => {
  const logger = new LogCapture();
  let dataDir: string;
  let cluster: Cluster;

  beforeAll(async () => {
    dataDir = await makeTempDir('cluster-port-held');
    cluster = await startCluster({ brokers: 1, dataDir, port: 0, logger, restartPolicy: { initialDelayMs: 50, maxDelayMs: 200 } });
  });

  afterAll(async () => {
    await cluster?.stop();
    await removeDir(dataDir);
  });

  it('keepsRetryingPastFiveFailures: each failure is logged and described, and the broker serves again once the port is free', async () => {
    const port = cluster.brokers[0]!.port;
    const holding = holdPortOnceFree(port);
    await cluster.control.crashBroker(1);
    const holder = await holding;

    const broker = async () => (await cluster.control.describe()).brokers[0]!;
    // Five restarts within a minute used to be the end of the broker: it stayed down for good.
    await waitFor('seven failed restarts', async () => ((await broker()).restart?.attempt ?? 0) >= 8, 120_000);
    const down = await broker();
    expect(down.alive).toBe(false);
    expect(['restarting', 'starting']).toContain(down.state);
    expect(down.lastCrash?.error).toBe(`broker 1 cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
    expect(Date.parse(down.restart!.dueAt)).toBeGreaterThanOrEqual(Date.parse(down.lastCrash!.at));
    // Each line without its JSON fields (the exit code and the error with its stack).
    const crashes = logger.lines.filter((line) => line.startsWith('ERROR broker 1 crashed')).map((line) => line.replace(/ \{.*$/, ''));
    expect(crashes.slice(1, 7)).toEqual(
      [2, 3, 4, 5, 6, 7].map(
        (attempt) =>
          `ERROR broker 1 crashed (broker 1 cannot listen on 127.0.0.1:${port}: EADDRINUSE); restarting it in ${Math.min(200, 50 * 2 ** (attempt - 1))} ms (attempt ${attempt})`,
      ),
    );

    await new Promise((resolve) => holder.close(resolve));
    await waitFor(
      'broker 1 to run again',
      async () => {
        const b = await broker();
        return b.state === 'running' && b.alive;
      },
      30_000,
    );
    const back = await broker();
    expect([back.port, back.restart]).toEqual([port, null]);
    expect(await accepts(port)).toBe(true);
    const admin = new Kafka({ clientId: 'port-held', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      expect((await admin.describeCluster()).brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port }]);
    } finally {
      await admin.disconnect();
    }
  }, 180_000);
});
