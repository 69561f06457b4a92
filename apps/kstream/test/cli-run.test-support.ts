// Runs the installed `kstream` command (bin/kstream.cjs, the launcher npm
// links) as a child process, the way a user's shell does: arguments, stdin,
// and its stdout, stderr and exit code.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const launcher = fileURLToPath(new URL('../bin/kstream.cjs', import.meta.url));

export interface KstreamResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KstreamRun {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly done: Promise<KstreamResult>;
}

/** Starts `kstream <args>`; `input` is written to its stdin, which is then closed. */
export function startKstream(args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): KstreamRun {
  const child = spawn(process.execPath, [launcher, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, KSTREAM_BOOTSTRAP: undefined, ...options.env } });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  child.stdin!.end(options.input ?? '');
  const done = new Promise<KstreamResult>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err })));
  return { child, stdout: () => out, stderr: () => err, done };
}

/** Runs `kstream <args>` to its end. */
export function kstream(args: readonly string[], options: { input?: string } = {}): Promise<KstreamResult> {
  return startKstream(args, options).done;
}

/** Waits until `check` holds for the run's output so far. */
export async function waitForOutput(run: KstreamRun, what: string, check: (stdout: string, stderr: string) => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check(run.stdout(), run.stderr())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout ${JSON.stringify(run.stdout())}, stderr ${JSON.stringify(run.stderr())}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
