// One round of the start benchmark in a fresh process, run by main.ts with
// plain node (the compiled packages) or with tsx and the @kstream/source
// condition (the sources). Plain JavaScript so that plain node runs it.
// Prints one JSON line on stdout:
// - `workers`: three bare worker threads, from `new Worker` to all three
//   posting 'ready' ({ readyMs });
// - `cluster <brokers> <kstream module> <client module> <data dir>`: the
//   import, startCluster until it resolves, a 1-partition topic (RF 3, or
//   the broker count if fewer) created and one record sent until acked, and
//   stop() ({ importMs, readyMs, firstAckMs, stopMs }).
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

const [mode, ...args] = process.argv.slice(2);
const quiet = { info() {}, warn() {}, error() {} };
const clientLogger = { debug() {}, ...quiet };

async function threeBareWorkers() {
  const started = performance.now();
  const workers = Array.from({ length: 3 }, () => new Worker(`require('node:worker_threads').parentPort.postMessage('ready')`, { eval: true }));
  await Promise.all(workers.map((w) => once(w, 'message')));
  const readyMs = performance.now() - started;
  await Promise.all(workers.map((w) => w.terminate()));
  return { readyMs };
}

async function cluster(brokers, kstreamModule, clientModule, dataDir) {
  const imported = performance.now();
  const [{ startCluster }, { Admin, Producer }] = await Promise.all([import(kstreamModule), import(clientModule)]);
  const importMs = performance.now() - imported;

  const starting = performance.now();
  const node = await startCluster({ dataDir, port: 0, brokers, logger: quiet });
  const readyMs = performance.now() - starting;

  const ready = performance.now();
  const admin = new Admin({ bootstrap: node.bootstrap, clientId: 'bench-start', logger: clientLogger });
  const producer = new Producer({ bootstrap: node.bootstrap, clientId: 'bench-start', logger: clientLogger });
  try {
    await admin.connect();
    await admin.createTopics([{ topic: 'bench-start', numPartitions: 1, replicationFactor: Math.min(3, brokers) }]);
    await producer.send({ topic: 'bench-start', value: Buffer.from('first') });
  } finally {
    await producer.close();
    await admin.close();
  }
  const firstAckMs = performance.now() - ready;

  const stopping = performance.now();
  await node.stop();
  const stopMs = performance.now() - stopping;
  return { importMs, readyMs, firstAckMs, stopMs };
}

const result = mode === 'workers' ? await threeBareWorkers() : await cluster(Number(args[0]), args[1], args[2], args[3]);
process.stdout.write(`${JSON.stringify(result)}\n`);
