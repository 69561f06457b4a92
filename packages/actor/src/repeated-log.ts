import type { Logger } from './logger.js';

export interface RepeatedLogOptions {
  /** The longest a repeat goes unreported: one summary line per key per interval at most. */
  readonly intervalMs?: number;
}

/** What is counted of one key during the current interval. */
interface Window {
  readonly level: 'warn' | 'error';
  readonly msg: string;
  repeats: number;
  lastFields: object | undefined;
  timer: NodeJS.Timeout;
}

/**
 * Logs a failure that may repeat (the same fetch of a corrupt batch, every
 * write to a full disk) once in full, stack included, then counts its
 * repeats under a key the caller chooses (an error class and a partition, say)
 * and writes at most one summary line per key per interval: "… (repeated 59
 * times in the last 30 s)", with the last occurrence's fields but no stack.
 * An interval without repeats forgets the key, so its next occurrence is
 * logged in full again. Keys are never merged. Owned by one thread's loop.
 */
export class RepeatedLog {
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #windows = new Map<string, Window>();

  constructor(logger: Logger, options: RepeatedLogOptions = {}) {
    this.#logger = logger;
    this.#intervalMs = options.intervalMs ?? 30_000;
  }

  warn(key: string, msg: string, fields?: object): void {
    this.#log('warn', key, msg, fields);
  }

  error(key: string, msg: string, fields?: object): void {
    this.#log('error', key, msg, fields);
  }

  /** Writes the summaries still owed and forgets every key. */
  close(): void {
    for (const [key, window] of this.#windows) {
      clearInterval(window.timer);
      this.#summarise(window);
      this.#windows.delete(key);
    }
  }

  #log(level: 'warn' | 'error', key: string, msg: string, fields: object | undefined): void {
    const window = this.#windows.get(key);
    if (window !== undefined) {
      window.repeats++;
      window.lastFields = fields;
      return;
    }
    this.#logger[level](msg, fields);
    const timer = setInterval(() => this.#endInterval(key), this.#intervalMs).unref();
    this.#windows.set(key, { level, msg, repeats: 0, lastFields: undefined, timer });
  }

  #endInterval(key: string): void {
    const window = this.#windows.get(key)!;
    if (window.repeats === 0) {
      clearInterval(window.timer);
      this.#windows.delete(key);
      return;
    }
    this.#summarise(window);
    window.repeats = 0;
  }

  #summarise(window: Window): void {
    if (window.repeats === 0) return;
    const times = window.repeats === 1 ? 'once' : `${window.repeats} times`;
    const summary = `${window.msg} (repeated ${times} in the last ${formatInterval(this.#intervalMs)})`;
    this.#logger[window.level](summary, window.lastFields === undefined ? undefined : withoutStacks(window.lastFields));
  }
}

function formatInterval(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The fields with each Error reduced to its class and message: the stack was logged with the first occurrence. */
function withoutStacks(fields: object): object {
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, value instanceof Error ? `${value.name}: ${value.message}` : value]));
}
