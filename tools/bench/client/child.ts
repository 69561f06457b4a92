// Runs one job of the client benchmark in a child process (worker.ts, or
// another benchmark's worker answering the same way) under a chosen Node
// binary, and finds the Node 24 binary tools/node24.mjs keeps.
import { execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CPU_PROFILE_ENV, type Job } from './messages.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface NodeBinary {
  readonly path: string;
  readonly version: string;
}

export const THIS_NODE: NodeBinary = { path: process.execPath, version: process.version };

/** Node 24 through tools/node24.mjs (which installs it into node_modules/.cache once). */
export function node24(): NodeBinary {
  const script = fileURLToPath(new URL('../../node24.mjs', import.meta.url));
  const output = execFileSync(process.execPath, [script, 'node', '-p', 'process.execPath + " " + process.version'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [path, version] = output.trim().split(' ') as [string, string];
  return { path, version };
}

export interface ChildOptions {
  readonly node: NodeBinary;
  /** Where the child writes a CPU profile of its job (worker.ts), if profiling. */
  readonly cpuProfileDir?: string;
  readonly timeoutMs: number;
  /** The child's module (default this benchmark's worker.ts): it takes one job over IPC and answers a ChildReply. */
  readonly worker?: string;
}

/** What a child answers its one job with. */
export type ChildReply<R> = { readonly ok: true; readonly value: R; readonly node: string } | { readonly ok: false; readonly error: string; readonly node: string };

/** Another worker's job: named by its client and kind, its other fields that worker's business. */
interface NamedJob {
  readonly client: string;
  readonly kind: string;
}

/** The job's result from a new child process; rejects with the child's error, its exit, or the timeout. */
export async function runInChild<R extends { readonly kind: string }>(job: Job | NamedJob, options: ChildOptions): Promise<R> {
  const execArgv = ['--conditions=@kstream/source', '--import', 'tsx'];
  const profile = options.cpuProfileDir === undefined ? {} : { [CPU_PROFILE_ENV]: join(options.cpuProfileDir, `${job.client}-${job.kind}-${Date.now()}.cpuprofile`) };
  const child = fork(options.worker ?? WORKER, [], {
    cwd: REPO_ROOT,
    execPath: options.node.path,
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1', ...profile },
  });
  let timedOut = false;
  const reply = new Promise<ChildReply<R>>((resolve, reject) => {
    child.once('message', (message) => resolve(message as ChildReply<R>));
    child.once('exit', (code, signal) =>
      reject(new Error(`${job.client} ${job.kind} child ${timedOut ? `killed after ${options.timeoutMs} ms` : `exited (${code ?? signal})`} without a result`)),
    );
    child.once('error', reject);
  });
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  try {
    child.send(job);
    const answer = await reply;
    if (!answer.ok) throw new Error(`${job.client} ${job.kind} on node ${answer.node} failed: ${answer.error}`);
    if (answer.value.kind !== job.kind) throw new Error(`${job.client} ${job.kind}: the child answered a ${answer.value.kind} result`);
    return answer.value;
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  }
}
