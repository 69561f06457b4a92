import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { spawnWorker, workerExecArgv } from './index.js';
import { refusedFlags } from './spawn-worker.js';

// A .ts entry starting and importing a sibling from source is pinned down by
// mailbox-worker.test.ts; these cover the rest of the contract.
describe('spawnWorker', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kstream-actor-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('startsAJavaScriptEntryWithItsDataAndTransferredBuffers', async () => {
    const entry = join(dir, 'entry.mjs');
    await writeFile(
      entry,
      `import { parentPort, workerData } from 'node:worker_threads';
       parentPort.postMessage({ id: workerData.id, bytes: workerData.bytes.byteLength });`,
    );
    const bytes = new Uint8Array(128);
    const worker = spawnWorker(pathToFileURL(entry), {
      name: 'broker-1',
      workerData: { id: 1, bytes },
      transferList: [bytes.buffer as ArrayBuffer],
    });
    const message = await new Promise((resolve) => worker.once('message', resolve));
    expect(message).toEqual({ id: 1, bytes: 128 });
    expect(bytes.byteLength).toBe(0);
    await worker.terminate();
  });

  it('workersOfOneEntrySpawnedInOneTurnShareOneCheckOfItsBundle', async () => {
    // The module spawnWorker requires: CommonJS, one instance per process.
    const bundler = createRequire(import.meta.url)('@kstream/actor/source-bundle') as typeof import('@kstream/actor/source-bundle');
    const entry = new URL('./echo-worker.test-support.ts', import.meta.url);
    await bundler.sourceBundle(entry);
    const check = vi.spyOn(bundler, 'cachedSourceBundle');
    try {
      const workers = [spawnWorker(entry), spawnWorker(entry), spawnWorker(entry)];
      expect(check).toHaveBeenCalledTimes(1);
      await new Promise((resolve) => setImmediate(resolve));
      workers.push(spawnWorker(entry));
      expect(check, 'a later turn checks again: sources may have changed').toHaveBeenCalledTimes(2);
      await Promise.all(workers.map((w) => w.terminate()));
    } finally {
      check.mockRestore();
    }
  });

  it('aWorkerGivenResourceLimitsKeepsItsYoungGenerationWithinThem, however much short-lived garbage it makes', async () => {
    const entry = join(dir, 'churn.mjs');
    await writeFile(
      entry,
      `import { parentPort, resourceLimits } from 'node:worker_threads';
       import { getHeapSpaceStatistics } from 'node:v8';
       let kept = [];
       for (let i = 0; i < 2_000_000; i++) { kept.push({ i }); if (kept.length > 100_000) kept = []; }
       const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size;
       parentPort.postMessage({ young, limit: resourceLimits.maxYoungGenerationSizeMb });`,
    );
    const worker = spawnWorker(pathToFileURL(entry), { resourceLimits: { maxYoungGenerationSizeMb: 6 } });
    const { young, limit } = await new Promise<{ young: number; limit: number }>((resolve) => worker.once('message', resolve));
    expect(limit).toBe(6);
    // Both semispaces; the cap also counts the young large-object space. Node's default lets it grow to 32 MiB here.
    expect(young).toBeLessThanOrEqual(6 * 1024 * 1024);
    await worker.terminate();
  });

  it('aTypeScriptEntryThatCannotBeFoundFailsTheWorker', async () => {
    const worker = spawnWorker(pathToFileURL(join(dir, 'missing.ts')));
    // Both listeners first: when the worker exits before its error message is read, Node drains
    // that message and emits 'error' and then 'exit' in one synchronous step.
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    const error = await new Promise<Error>((resolve) => worker.once('error', resolve));
    expect(error.message).toContain('missing.ts');
    await exited;
  });

  it('workersStartWithoutMsgpackrsNativeExtractorUnlessTheEnvironmentAsks', async () => {
    const entry = join(dir, 'env.mjs');
    await writeFile(entry, `import { parentPort } from 'node:worker_threads'; parentPort.postMessage(process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED ?? null);`);
    const seen = async () => {
      const worker = spawnWorker(pathToFileURL(entry));
      const value = await new Promise((resolve) => worker.once('message', resolve));
      await worker.terminate();
      return value;
    };
    const before = process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED;
    try {
      delete process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED;
      expect(await seen()).toBe('true');
      expect(process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED, "the parent's own environment is left alone").toBeUndefined();
      process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED = 'false';
      expect(await seen()).toBe('false');
    } finally {
      if (before === undefined) delete process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED;
      else process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED = before;
    }
  });

  it('refusedFlagsAreTheOnesNodeNames: a worker given V8 flags fails with ERR_WORKER_INVALID_EXEC_ARGV naming them', () => {
    let error: unknown;
    try {
      new Worker('0', { eval: true, execArgv: ['--conditions=x', '--expose-gc', '--max-old-space-size=300'] });
    } catch (caught) {
      error = caught;
    }
    expect(refusedFlags(error)).toEqual(['--expose-gc', '--max-old-space-size=300']);
    expect(refusedFlags(new Error('flags: --x'))).toEqual([]);
  });

  it('aNodeStartedWithV8FlagsStartsWorkers: node --expose-gc --max-old-space-size --input-type=module -e starts .ts workers that answer, which once failed with ERR_WORKER_INVALID_EXEC_ARGV, then with require undefined', async () => {
    const script = `
      import { Mailbox, spawnWorker } from '@kstream/actor';
      const worker = spawnWorker(new URL(${JSON.stringify(new URL('./echo-worker.test-support.ts', import.meta.url).href)}), { workerData: 'data' });
      worker.once('error', (e) => { console.log('error ' + e.message); process.exit(1); });
      const mailbox = new Mailbox(worker, { name: 'echo', handle: () => undefined, defaultTimeoutMs: 30_000 });
      console.log('answered ' + (await mailbox.ask({ type: 'WorkerData' })));
      await worker.terminate();`;
    const run = promisify(execFile);
    // A failed run says why: the worker's error is on its stdout, which execFile's error message leaves out.
    const { stdout } = await run(
      process.execPath,
      ['--expose-gc', '--max-old-space-size=300', '--conditions=@kstream/source', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: fileURLToPath(new URL('.', import.meta.url)), env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 },
    ).catch((error: { code?: unknown; stdout?: string; stderr?: string }) => ({ stdout: `exit ${String(error.code)}: ${error.stdout ?? ''}${error.stderr ?? ''}` }));
    expect(stdout.trim()).toBe('answered data');
  });

  it('workersDropTheTypeScriptLoaderButKeepEveryOtherFlag', () => {
    const execArgv = [
      '--conditions=@kstream/source',
      '--import',
      'tsx',
      '--enable-source-maps',
      '--import=tsx/esm',
      '--require',
      './otel.cjs',
      '--import',
      'file:///x/node_modules/tsx/dist/loader.mjs',
    ];
    expect(workerExecArgv(execArgv)).toEqual(['--conditions=@kstream/source', '--enable-source-maps', '--require', './otel.cjs']);
  });

  it("workersDropTheParentsInput: --input-type, -e, --eval, -p and --print are the parent's own input, not a worker's", () => {
    const execArgv = ['--input-type=module', '-e', 'import x', '--eval=1', '--input-type', 'commonjs', '-p', '2', '--print', '3', '--max-old-space-size=300'];
    expect(workerExecArgv(execArgv)).toEqual(['--max-old-space-size=300']);
  });
});
