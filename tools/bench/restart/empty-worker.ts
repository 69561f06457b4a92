// The baseline's worker: a TypeScript module that does nothing but say it
// runs, so spawning it costs what any broker worker started from source pays
// before its own code (a thread, tsx registered inside it).
import { parentPort } from 'node:worker_threads';

parentPort?.postMessage('running');
