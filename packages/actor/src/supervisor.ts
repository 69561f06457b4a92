import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { stderrLogger } from './logger.js';
import type { Logger } from './logger.js';
import { checkRestartPolicy, defaultRestartPolicy, planRestart } from './supervisor-policy.js';
import type { RestartPolicy } from './supervisor-policy.js';

/** What the supervisor does after a child's exit. */
export type ChildNext =
  /** `attempt` counts the restarts in a row, from 1 (see RestartPolicy). */
  | { readonly action: 'restart'; readonly attempt: number; readonly delayMs: number }
  /** The exit was asked for with `stop`. */
  | { readonly action: 'stop' };

export interface ChildExit {
  readonly name: string;
  /** The uncaught error that ended the worker, or the factory's error when a restart could not create one; null for a plain exit. */
  readonly error: Error | null;
  /** The worker's exit code; null when a restart failed before a worker existed. */
  readonly exitCode: number | null;
  readonly next: ChildNext;
}

export interface ChildStart {
  readonly name: string;
  readonly worker: Worker;
  /** How many times the child has been restarted; 0 on its first start. */
  readonly restarts: number;
}

export interface SupervisorEvents {
  start: [ChildStart];
  exit: [ChildExit];
}

export interface SupervisorOptions {
  /** The restart policy of every child, field by field, unless a child sets its own. */
  readonly policy?: Partial<RestartPolicy>;
  readonly logger?: Logger;
}

interface Child {
  readonly name: string;
  readonly factory: () => Worker;
  readonly policy: RestartPolicy;
  worker: Worker | null;
  /** The error the current worker reported, kept until its exit. */
  error: Error | null;
  /** When the current worker started (performance.now()). */
  startedAt: number;
  /** The restart in a row that started the current worker; 0 for the first start. */
  attempt: number;
  restarts: number;
  restartTimer: NodeJS.Timeout | null;
  /** Set by `stop`; resolves once the child is down for good. */
  stopped: { promise: Promise<void>; resolve: () => void } | null;
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * Keeps named worker threads running. Each child comes from a factory the
 * supervisor calls again to restart it, under a RestartPolicy. Emits 'start'
 * for every worker it starts (bind the new worker's mailbox there) and 'exit'
 * as soon as one ends, with the cause and what happens next.
 *
 * Not thread-safe; owned by the thread that starts the workers.
 */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  readonly #policy: RestartPolicy;
  readonly #logger: Logger;
  readonly #children = new Map<string, Child>();

  constructor(options: SupervisorOptions = {}) {
    super();
    this.#policy = { ...defaultRestartPolicy, ...options.policy };
    checkRestartPolicy(this.#policy);
    this.#logger = options.logger ?? stderrLogger;
  }

  /** Starts a child under `name` and returns its first worker. What the factory throws here reaches the caller. */
  start(name: string, factory: () => Worker, options: { readonly policy?: Partial<RestartPolicy> } = {}): Worker {
    if (this.#children.has(name)) throw new Error(`child '${name}' is already supervised; stop it before starting it again`);
    const policy = { ...this.#policy, ...options.policy };
    checkRestartPolicy(policy);
    const worker = factory();
    const child: Child = {
      name,
      factory,
      policy,
      worker: null,
      error: null,
      startedAt: 0,
      attempt: 0,
      restarts: 0,
      restartTimer: null,
      stopped: null,
    };
    this.#children.set(name, child);
    this.#watch(child, worker);
    return worker;
  }

  /** The child's running worker; undefined while it waits to restart, or when no such child is supervised. */
  worker(name: string): Worker | undefined {
    return this.#children.get(name)?.worker ?? undefined;
  }

  /** Names of the supervised children, running or waiting to restart. */
  get names(): string[] {
    return [...this.#children.keys()];
  }

  /** Terminates the child without restarting it; resolves once it is down. A name not supervised is already down. */
  stop(name: string): Promise<void> {
    const child = this.#children.get(name);
    if (child === undefined) return Promise.resolve();
    if (child.stopped !== null) return child.stopped.promise;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    child.stopped = { promise, resolve };
    if (child.worker === null) {
      if (child.restartTimer !== null) clearTimeout(child.restartTimer);
      this.#children.delete(name);
      resolve();
    } else {
      void child.worker.terminate();
    }
    return promise;
  }

  stopAll(): Promise<void> {
    return Promise.all(this.names.map((name) => this.stop(name))).then(() => undefined);
  }

  #watch(child: Child, worker: Worker): void {
    child.worker = worker;
    child.error = null;
    child.startedAt = performance.now();
    worker.on('error', (error) => {
      if (child.worker === worker) child.error = error;
    });
    worker.once('exit', (exitCode) => this.#exited(child, exitCode));
    this.emit('start', { name: child.name, worker, restarts: child.restarts });
  }

  #exited(child: Child, exitCode: number): void {
    const error = child.error;
    child.worker = null;
    child.error = null;
    if (child.stopped !== null) {
      this.#children.delete(child.name);
      this.emit('exit', { name: child.name, error, exitCode, next: { action: 'stop' } });
      child.stopped.resolve();
      return;
    }
    this.#failed(child, error, exitCode, performance.now() - child.startedAt);
  }

  #failed(child: Child, error: Error | null, exitCode: number | null, ranForMs: number): void {
    const { name } = child;
    const { attempt, delayMs } = planRestart(child.policy, child.attempt, ranForMs);
    child.attempt = attempt;
    child.restartTimer = setTimeout(() => this.#restart(child), delayMs);
    this.#logger.warn(`child '${name}' exited; restarting it in ${delayMs} ms (restart ${attempt} in a row)`, { child: name, exitCode, error });
    this.emit('exit', { name, error, exitCode, next: { action: 'restart', attempt, delayMs } });
  }

  #restart(child: Child): void {
    child.restartTimer = null;
    child.restarts++;
    let worker: Worker;
    try {
      worker = child.factory();
    } catch (error) {
      this.#failed(child, toError(error), null, 0);
      return;
    }
    this.#watch(child, worker);
  }
}
