// The node under fuzzing, in a child process of its own (fuzz-node-process):
// its broker log lines are kept here, not printed, and read back to find why
// a connection was closed; its death, or a control API that stops
// answering, is seen from outside instead of stalling the fuzzer.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NodeDescription } from '../src/node-control.js';

export type FuzzNodeRequest = { readonly type: 'describe'; readonly id: number } | { readonly type: 'stop' };

export interface NodeHealth {
  readonly node: NodeDescription;
  /** The node process's main thread, where the controller runs. */
  readonly heapUsedBytes: number;
  /** The whole process: main thread, broker workers and pool. */
  readonly rssBytes: number;
  /** The longest the main thread's event loop was held since the previous describe. */
  readonly loopDelayMaxMs: number;
}

export type FuzzNodeReply =
  | { readonly type: 'ready'; readonly brokers: ReadonlyArray<{ readonly id: number; readonly port: number }> }
  | ({ readonly type: 'described'; readonly id: number } & NodeHealth);

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const entry = fileURLToPath(new URL('./fuzz-node-process.test-support.ts', import.meta.url));
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const RECENT_LOG_LINES = 200;
/** A broker's line about closing a client connection (client-connection.ts), with the broker's id and the client's port. */
const CLOSING = /broker (\d+): closing connection [^\s:]+:(\d+)\b/;

export class FuzzNode {
  /** The last lines the node wrote to stderr (its brokers' logs), for a failure report. */
  readonly recentLogs: string[] = [];
  /**
   * Lines that say why a broker closed a client connection, not yet taken,
   * by broker and client port (a client port can be in use to two brokers
   * at once).
   */
  readonly #closeReasons = new Map<string, string>();
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, (health: NodeHealth) => void>();
  #nextId = 1;
  #partial = '';
  #exit: string | null = null;
  /** Resolves with how the process ended. */
  readonly exited: Promise<string>;

  private constructor(
    child: ChildProcess,
    readonly brokers: ReadonlyArray<{ readonly id: number; readonly port: number }>,
    logFile: WriteStream | null,
  ) {
    this.#child = child;
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      logFile?.write(chunk);
      this.#collect(chunk);
    });
    child.on('message', (reply: FuzzNodeReply) => {
      if (reply.type !== 'described') return;
      this.#waiting.get(reply.id)?.(reply);
      this.#waiting.delete(reply.id);
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.#exit = signal === null ? `exit code ${code}` : `signal ${signal}`;
        logFile?.end();
        resolve(this.#exit);
      }),
    );
  }

  /** Starts a 3-broker node on free ports with its data in `dataDir`, each thread's heap capped at `heapLimitMb`. */
  static async start(dataDir: string, heapLimitMb: number, logFile?: string): Promise<FuzzNode> {
    // In NODE_OPTIONS, not the arguments: broker workers inherit the process's execArgv, and a Worker refuses heap flags there.
    const nodeOptions = `${process.env['NODE_OPTIONS'] ?? ''} --max-old-space-size=${heapLimitMb}`.trim();
    const child = spawn(process.execPath, ['--conditions=@kstream/source', '--import', 'tsx', entry, dataDir], {
      cwd: repoRoot,
      env: { ...process.env, NODE_OPTIONS: nodeOptions },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let stderr = '';
    const early = (chunk: string): void => void (stderr += chunk);
    child.stderr!.setEncoding('utf8').on('data', early);
    const brokers = await new Promise<FuzzNodeReply & { type: 'ready' }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the fuzz node did not start within ${START_TIMEOUT_MS} ms:\n${stderr}`)), START_TIMEOUT_MS);
      child.once('message', (reply: FuzzNodeReply) => {
        clearTimeout(timer);
        if (reply.type === 'ready') resolve(reply);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the fuzz node exited (${signal ?? `code ${code}`}) before it was ready:\n${stderr}`));
      });
    });
    child.stderr!.off('data', early);
    const node = new FuzzNode(child, brokers.brokers, logFile === undefined ? null : createWriteStream(logFile));
    node.#collect(stderr);
    return node;
  }

  /** How the process ended, or null while it runs. */
  get exit(): string | null {
    return this.#exit;
  }

  /** The control API's describe with the process's memory; rejects after `timeoutMs` or when the process is gone. */
  describe(timeoutMs: number): Promise<NodeHealth> {
    if (this.#exit !== null) return Promise.reject(new Error(`the node process is gone (${this.#exit})`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`the control API did not answer describe within ${timeoutMs} ms`));
      }, timeoutMs);
      void this.exited.then((how) => {
        clearTimeout(timer);
        reject(new Error(`the node process ended (${how}) before answering describe`));
      });
      this.#waiting.set(id, (health) => {
        clearTimeout(timer);
        resolve(health);
      });
      this.#child.send({ type: 'describe', id } satisfies FuzzNodeRequest);
    });
  }

  /** The log line that says why broker `brokerId` closed the client connection from local port `port`; each line is taken once. */
  takeCloseReason(brokerId: number, port: number): string | undefined {
    const key = `${brokerId}:${port}`;
    const line = this.#closeReasons.get(key);
    this.#closeReasons.delete(key);
    return line;
  }

  /** Stops the node cleanly; kills it if it does not end within 30 s. */
  async stop(): Promise<void> {
    if (this.#exit !== null) return;
    this.#child.send({ type: 'stop' } satisfies FuzzNodeRequest);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  /** Ends the process at once. */
  async kill(): Promise<void> {
    if (this.#exit === null) this.#child.kill('SIGKILL');
    await this.exited;
  }

  #collect(text: string): void {
    const parts = (this.#partial + text).split('\n');
    this.#partial = parts.pop()!;
    for (const line of parts) {
      const closing = CLOSING.exec(line);
      const key = closing === null ? undefined : `${closing[1]}:${closing[2]}`;
      if (key !== undefined && !this.#closeReasons.has(key)) this.#closeReasons.set(key, line);
      this.recentLogs.push(line);
    }
    if (this.recentLogs.length > 2 * RECENT_LOG_LINES) this.recentLogs.splice(0, this.recentLogs.length - RECENT_LOG_LINES);
  }
}
