import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mailbox, spawnWorker } from '@kstream/actor';
import type { Logger } from '@kstream/actor';
import type { NodeRequest } from '@kstream/broker';
import type { SubmitGunzip } from './pool-task-submitter.test-support.js';
import { TaskPool } from './task-pool.js';

describe('TaskPool', () => {
  let pool: TaskPool;
  let worker: Worker;
  let submitter: Mailbox<NodeRequest, SubmitGunzip, { SubmitGunzip: { output: Uint8Array; isUint8Array: boolean } }>;
  const logged: string[] = [];
  const logger: Logger = {
    info: (msg) => void logged.push(`INFO ${msg}`),
    warn: (msg) => void logged.push(`WARN ${msg}`),
    error: (msg) => void logged.push(`ERROR ${msg}`),
  };

  beforeAll(() => {
    pool = new TaskPool();
    worker = spawnWorker(new URL('./pool-task-submitter.test-support.ts', import.meta.url), { name: 'submitter' });
    submitter = new Mailbox(worker, {
      name: 'submitter',
      logger,
      handle: (msg) => {
        if (msg.type !== 'RunPoolTask') throw new Error(`unexpected ${msg.type}`);
        return pool.serve(msg);
      },
    });
  });

  afterAll(async () => {
    submitter.close();
    await worker.terminate();
    await pool.close();
  });

  it('gunzipFromAWorker: a task a broker thread submits runs on the pool and returns the original bytes', async () => {
    const original = Buffer.concat([randomBytes(64 * 1024), Buffer.alloc(64 * 1024, 'k')]);
    const reply = await submitter.ask({ type: 'SubmitGunzip', gzipped: gzipSync(original) }, { timeoutMs: 15_000 });
    expect(reply.isUint8Array).toBe(true);
    expect(Buffer.from(reply.output).equals(original)).toBe(true);
  });

  it('corruptInput: a task that throws is answered with its error, and the pool keeps working', async () => {
    await expect(submitter.ask({ type: 'SubmitGunzip', gzipped: Buffer.from('not gzip at all') }, { timeoutMs: 15_000 })).rejects.toThrow(/incorrect header check/);
    expect(logged).toEqual(["ERROR handler failed on 'RunPoolTask' asked by actor 'submitter'"]);
    const again = await submitter.ask({ type: 'SubmitGunzip', gzipped: gzipSync('still here') }, { timeoutMs: 15_000 });
    expect(Buffer.from(again.output).toString()).toBe('still here');
  });
});
