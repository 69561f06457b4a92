// A node started the way users start one, `kstream start` (bin/kstream.cjs)
// in a process of its own, so that its CPU time can be read from /proc and
// its threads profiled with node's --cpu-prof.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const kstreamBin = join(repoRoot, 'apps/kstream/bin/kstream.cjs');
const READY = /^kstream ready: bootstrap (\S+)/m;
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export interface KstreamProcessOptions {
  readonly dataDir: string;
  readonly brokers: number;
  /** Where --cpu-prof writes a profile per thread at exit (workers inherit the flag); no profiling when absent. */
  readonly profileDir?: string;
  /** Each warning or error the node logs, by level and message. */
  readonly onLog: (level: 'warn' | 'error', msg: string) => void;
}

export interface KstreamProcess {
  readonly pid: number;
  readonly bootstrap: string;
  /** SIGTERM, as `kill` sends it, then the exit; SIGKILL if the node is not gone in 30 s. */
  stop(): Promise<void>;
}

/** The node's --log-format json lines on stderr, each passed to `onLog`; a line that is not one passes as an error. */
function forwardLogLines(child: ChildProcess, onLog: KstreamProcessOptions['onLog']): void {
  let partial = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const line of lines.filter((l) => l.trim() !== '')) {
      try {
        const { level, msg } = JSON.parse(line) as { level?: string; msg?: string };
        onLog(level === 'warn' ? 'warn' : 'error', msg ?? line);
      } catch {
        onLog('error', line);
      }
    }
  });
}

/** Starts `kstream start --port 0 --metrics-port none --log-level warn` and resolves once it prints its ready line. */
export async function startKstream(options: KstreamProcessOptions): Promise<KstreamProcess> {
  const profiling = options.profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.profileDir];
  const args = [
    ...profiling,
    kstreamBin,
    'start',
    '--data-dir',
    options.dataDir,
    '--port',
    '0',
    '--metrics-port',
    'none',
    '--brokers',
    String(options.brokers),
    '--log-level',
    'warn',
    '--log-format',
    'json',
  ];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  forwardLogLines(child, options.onLog);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const bootstrap = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kstream start: no ready line in ${READY_TIMEOUT_MS} ms; its stdout:\n${stdout}`));
    }, READY_TIMEOUT_MS);
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      const ready = READY.exec(stdout);
      if (ready === null) return;
      clearTimeout(timer);
      resolve(ready[1]!);
    });
    void exited.then(([code, signal]) => {
      clearTimeout(timer);
      reject(new Error(`kstream start ${args.join(' ')} exited (${signal ?? `exit code ${code}`}) before it was ready; its stdout:\n${stdout}`));
    });
  });
  let stopping: Promise<void> | undefined;
  return {
    pid: child.pid!,
    bootstrap,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        child.kill('SIGTERM');
        const [code, signal] = await exited;
        clearTimeout(timer);
        if (code !== 0 && signal !== 'SIGTERM') throw new Error(`kstream start did not stop cleanly on SIGTERM (${signal ?? `exit code ${code}`})`);
      })();
      return stopping;
    },
  };
}
