// The process a fuzz run keeps its node in (spawned by fuzz-node): a node
// that dies, hangs or outgrows its heap must not take the fuzzer with it,
// and its log lines, read from the pipe, stay out of the run's output.
// Argument: the data dir. It tells the parent over IPC when it is ready,
// answers `describe` with the control API's description plus this process's
// memory and main-loop delay, and stops the node on `stop`.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startCluster } from '../src/start-cluster.js';
import type { FuzzNodeReply, FuzzNodeRequest } from './fuzz-node.test-support.js';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: fuzz-node-process <data-dir>');

const send = (reply: FuzzNodeReply): void => void process.send!(reply);
const cluster = await startCluster({ brokers: 3, dataDir, port: 0 });
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

async function stop(code: number): Promise<never> {
  await cluster.stop();
  process.exit(code);
}

process.on('disconnect', () => void stop(1));
process.on('message', (request: FuzzNodeRequest) => {
  switch (request.type) {
    case 'describe':
      void cluster.control.describe().then((node) => {
        const { heapUsed, rss } = process.memoryUsage();
        send({ type: 'described', id: request.id, node, heapUsedBytes: heapUsed, rssBytes: rss, loopDelayMaxMs: loopDelay.max / 1e6 });
        loopDelay.reset();
      });
      return;
    case 'stop':
      void stop(0);
      return;
  }
});
send({ type: 'ready', brokers: cluster.brokers.map(({ id, port }) => ({ id, port })) });
