import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '@kstream/actor';
import { afterEach, describe, expect, it } from 'vitest';
import { PauseGate } from './pause-gate.js';

const gateWorkerUrl = new URL('./pause-gate-worker.test-support.ts', import.meta.url);

const workers: Worker[] = [];

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

async function start(gate: PauseGate): Promise<Worker> {
  const worker = spawnWorker(gateWorkerUrl, { workerData: { buffer: gate.buffer } });
  workers.push(worker);
  await new Promise((resolve) => worker.once('message', resolve));
  return worker;
}

function echo(worker: Worker, msg: string, timeoutMs: number): Promise<string | 'no answer'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      worker.off('message', onMessage);
      resolve('no answer');
    }, timeoutMs);
    const onMessage = (reply: string) => {
      if (reply !== msg) return;
      clearTimeout(timer);
      worker.off('message', onMessage);
      resolve(reply);
    };
    worker.on('message', onMessage);
    worker.postMessage(msg);
  });
}

describe('PauseGate', () => {
  it('aPausedThreadAnswersNothingUntilReleased', async () => {
    const gate = new PauseGate();
    const worker = await start(gate);
    await expect(echo(worker, 'before', 2_000)).resolves.toBe('before');
    gate.request();
    worker.postMessage('pause');
    await expect(gate.whenPaused(2_000)).resolves.toBe(true);
    expect(gate.paused).toBe(true);
    await expect(echo(worker, 'while paused', 200)).resolves.toBe('no answer');
    gate.release();
    await expect(gate.whenRunning(2_000)).resolves.toBe(true);
    await expect(echo(worker, 'after', 2_000)).resolves.toBe('after');
  });

  it('whenPausedGivesUpWhenTheThreadNeverLooks', async () => {
    const gate = new PauseGate();
    await start(gate);
    gate.request();
    await expect(gate.whenPaused(50)).resolves.toBe(false);
  });

  it('aPausedThreadCanStillBeTerminated', async () => {
    const gate = new PauseGate();
    const worker = await start(gate);
    gate.request();
    worker.postMessage('pause');
    await gate.whenPaused(2_000);
    await expect(worker.terminate()).resolves.toBe(1);
  });

  it('holdWhileRequestedReturnsAtOnceWithoutARequest', () => {
    const gate = new PauseGate();
    gate.holdWhileRequested();
    expect(gate.paused).toBe(false);
  });
});
