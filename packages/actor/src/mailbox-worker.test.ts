import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActorError, Mailbox, spawnWorker } from './index.js';
import type { EchoReplies } from './echo-actor.test-support.js';
import type { ParentMessage, WorkerMessage, WorkerReplies } from './echo-worker.test-support.js';

const entry = new URL('./echo-worker.test-support.ts', import.meta.url);

function startEcho(workerData?: unknown): { worker: Worker; mailbox: Mailbox<ParentMessage, WorkerMessage, EchoReplies & WorkerReplies> } {
  const worker = spawnWorker(entry, { name: 'echo-worker', workerData });
  const mailbox = new Mailbox<ParentMessage, WorkerMessage, EchoReplies & WorkerReplies>(worker, {
    name: 'echo-worker',
    handle: (msg) => `parent heard: ${msg.text}`,
    defaultTimeoutMs: 15_000,
  });
  return { worker, mailbox };
}

describe('Mailbox across a worker thread', () => {
  let echo: ReturnType<typeof startEcho>;

  beforeAll(() => {
    echo = startEcho({ brokerId: 7, dataDir: '/tmp/x' });
  });

  afterAll(async () => {
    await echo.worker.terminate();
  });

  it('asksAWorkerAndGetsItsReply', async () => {
    await expect(echo.mailbox.ask({ type: 'Echo', value: { offset: 9n } })).resolves.toEqual({ offset: 9n });
    await expect(echo.mailbox.ask({ type: 'WorkerData' })).resolves.toEqual({ brokerId: 7, dataDir: '/tmp/x' });
  });

  it('theWorkerCanAskTheParentWhileAnsweringIt', async () => {
    await expect(echo.mailbox.ask({ type: 'AskBack', question: 'who leads orders-0?' })).resolves.toBe('parent heard: who leads orders-0?');
  });

  it('bytesCrossTheThreadBoundaryTransferredBothWays', async () => {
    const bytes = new Uint8Array(1 << 16).fill(1);
    await expect(echo.mailbox.ask({ type: 'Sum', bytes }, { transfer: [bytes.buffer as ArrayBuffer] })).resolves.toBe(1 << 16);
    expect(bytes.byteLength).toBe(0);
    const filled = await echo.mailbox.ask({ type: 'Fill', size: 1000, byte: 3 });
    expect(filled.reduce((a, b) => a + b, 0)).toBe(3000);
  });

  it('aWorkerExitRejectsPendingAsksWithClosedAndTheExitCode', async () => {
    const { mailbox } = startEcho();
    const pending = mailbox.ask({ type: 'Hang' });
    const exit = mailbox.ask({ type: 'Exit', code: 3 });
    for (const promise of [pending, exit]) {
      const error = (await promise.catch((e: unknown) => e)) as ActorError;
      expect(error).toBeInstanceOf(ActorError);
      expect(error.code).toBe('CLOSED');
      expect(error.message).toContain('the worker exited with code 3');
    }
    expect(mailbox.closed).toBe(true);
  });
});
