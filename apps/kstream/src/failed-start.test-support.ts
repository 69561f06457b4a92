// Run as a child process by cluster-start-failure.test.ts: an embedded start
// that fails, then nothing more. The process ends by itself only if the
// failed start left no worker thread, timer or handle behind.
import { startCluster } from './start-cluster.js';

const quiet = { info() {}, warn() {}, error() {} };
try {
  await startCluster({ brokers: 3, dataDir: process.argv[2]!, port: 0, logger: quiet });
  console.log('started');
} catch (error) {
  console.log(`${(error as Error).name}: ${(error as Error).message}`);
}
