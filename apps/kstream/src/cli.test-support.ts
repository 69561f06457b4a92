// Runs the real `kstream` CLI as a child process, directly or through `npm start`.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const mainTs = fileURLToPath(new URL('./main.ts', import.meta.url));

export interface CliRun {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or 'killed by <signal>'). */
  readonly exit: Promise<number | string>;
}

export function runCli(args: readonly string[]): CliRun {
  return capture(
    spawn(process.execPath, ['--conditions=@kstream/source', '--import', 'tsx', mainTs, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/**
 * Runs `npm start -- <args>` from the repository root as a user would, in a
 * process group of its own (npm's pid is its id), so that a test can signal
 * the whole group as a terminal's Ctrl-C does.
 */
export function runNpmStart(args: readonly string[]): CliRun {
  return capture(spawn('npm', ['start', '--', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
}

function capture(child: ChildProcess): CliRun {
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exit = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? `killed by ${signal}`)));
  return { child, stdout: () => out, stderr: () => err, exit };
}
