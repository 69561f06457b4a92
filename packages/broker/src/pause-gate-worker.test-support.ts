// A worker for pause-gate.test.ts: it holds at the gate when told 'pause' and
// otherwise echoes every message at once, as a broker's loop answers.
import { parentPort, workerData } from 'node:worker_threads';
import { PauseGate } from './pause-gate.js';

const gate = new PauseGate((workerData as { buffer: SharedArrayBuffer }).buffer);
parentPort!.on('message', (msg: string) => {
  if (msg === 'pause') gate.holdWhileRequested();
  else parentPort!.postMessage(msg);
});
parentPort!.postMessage('ready');
