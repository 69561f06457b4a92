// Runs the real kcat binary (librdkafka): a Kafka client nobody here wrote.
import { spawn, spawnSync } from 'node:child_process';

/** Why the kcat tests are skipped, or null when kcat is on the PATH. */
export const kcatMissing: string | null = (() => {
  const probe = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
  if (probe.error === undefined && probe.status === 0) return null;
  return `kcat is not installed (${probe.error?.message ?? `kcat -V exited ${probe.status}`}); install it with apt-get install kcat`;
})();

if (kcatMissing !== null) console.warn(`skipping the kcat tests: ${kcatMissing}`);

export interface KcatRun {
  readonly args: readonly string[];
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface KcatOptions {
  /** Bytes for kcat's stdin (the records of `-P`); stdin is closed after them. */
  readonly input?: string | Buffer;
  readonly timeoutMs?: number;
}

/** A kcat that runs until stopped (a `-G` balanced consumer): its output so far, and how it ended. */
export interface KcatProcess {
  readonly args: readonly string[];
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves once kcat exited, with its whole output. */
  readonly done: Promise<KcatRun>;
  /** Sends `signal` (SIGTERM: kcat closes its consumer cleanly, committing and leaving its group) and waits for the exit; killed after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<KcatRun>;
  /** Kills it at once (SIGKILL); its run is reported as timedOut. */
  kill(): void;
}

/** Starts `kcat args` with `input` on its stdin (then closed). */
export function startKcat(args: readonly string[], input?: string | Buffer): KcatProcess {
  const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.on('error', () => {});
  child.stdin.end(input ?? '');
  const done = new Promise<KcatRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ args, code, stdout, stderr, timedOut }));
  });
  const kill = (): void => {
    timedOut = true;
    child.kill('SIGKILL');
  };
  return {
    args,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    done,
    kill,
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(kill, timeoutMs);
      try {
        return await done;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs `kcat args`; a run that outlives its timeout is killed and reported as timedOut. */
export async function kcat(args: readonly string[], { input, timeoutMs = 20_000 }: KcatOptions = {}): Promise<KcatRun> {
  const run = startKcat(args, input);
  const timer = setTimeout(run.kill, timeoutMs);
  try {
    return await run.done;
  } finally {
    clearTimeout(timer);
  }
}

/** The first and last lines of kcat's stderr: a stalled client repeats the same complaint every second. */
function stderrExcerpt(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  if (lines.length <= 12) return lines.join('\n');
  return [...lines.slice(0, 6), `... ${lines.length - 12} more lines ...`, ...lines.slice(-6)].join('\n');
}

/** Fails with the command line, exit and stderr unless kcat exited 0 in time. */
export function expectSuccess(run: KcatRun): KcatRun {
  if (run.timedOut || run.code !== 0) {
    const how = run.timedOut ? 'timed out' : `exited ${run.code}`;
    throw new Error(`kcat ${run.args.join(' ')} ${how}\nstderr:\n${stderrExcerpt(run.stderr)}\nstdout:\n${run.stdout.slice(0, 2000)}`);
  }
  return run;
}

/** kcat's -f format for one consumed record per line, fields separated by tabs. */
export const RECORD_FORMAT = '%p\\t%o\\t%T\\t%k\\t%s\\t%h\\n';

export interface ConsumedRecord {
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  /** 'NULL' for a null key (kcat -Z). */
  readonly key: string;
  readonly value: string;
  /** kcat's %h: `name=value` pairs joined by commas; empty without headers. */
  readonly headers: string;
}

export function parseRecords(stdout: string): ConsumedRecord[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [partition, offset, timestamp, key, value, headers] = line.split('\t');
      return {
        partition: Number(partition),
        offset: Number(offset),
        timestamp: Number(timestamp),
        key: key!,
        value: value!,
        headers: headers ?? '',
      };
    });
}

/** Produces `lines` (one record each; `key:value` with keyDelimiter ':') to a topic and waits for every delivery. */
export async function kcatProduce(bootstrap: string, topic: string, lines: readonly string[], extraArgs: readonly string[] = []): Promise<KcatRun> {
  return expectSuccess(await kcat(['-b', bootstrap, '-P', '-t', topic, ...extraArgs], { input: lines.map((l) => `${l}\n`).join('') }));
}

/** Reads a topic (every partition, or `partition`) from the beginning to its end. */
export async function kcatConsume(bootstrap: string, topic: string, extraArgs: readonly string[] = []): Promise<ConsumedRecord[]> {
  const run = expectSuccess(await kcat(['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-Z', '-f', RECORD_FORMAT, ...extraArgs]));
  return parseRecords(run.stdout);
}

/** The JSON of `kcat -L -J`. */
export interface KcatMetadata {
  readonly brokers: ReadonlyArray<{ readonly id: number; readonly name: string }>;
  readonly topics: ReadonlyArray<{
    readonly topic: string;
    readonly error?: string;
    readonly partitions: ReadonlyArray<{
      readonly partition: number;
      readonly leader: number;
      readonly error?: string;
      readonly replicas: ReadonlyArray<{ readonly id: number }>;
      readonly isrs: ReadonlyArray<{ readonly id: number }>;
    }>;
  }>;
}

export async function kcatMetadata(bootstrap: string, extraArgs: readonly string[] = []): Promise<KcatMetadata> {
  const run = expectSuccess(await kcat(['-b', bootstrap, '-L', '-J', ...extraArgs]));
  return JSON.parse(run.stdout) as KcatMetadata;
}
