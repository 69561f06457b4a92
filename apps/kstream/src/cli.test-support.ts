// Runs the real `kstream` CLI as a child process, as `npm start` does.
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
  const child = spawn(process.execPath, ['--conditions=@kstream/source', '--import', 'tsx', mainTs, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exit = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? `killed by ${signal}`)),
  );
  return { child, stdout: () => out, stderr: () => err, exit };
}
