// What Linux's /proc tells about the process holding the node: its I/O
// counters, its open file descriptors (every thread's: they share one table)
// and the limit on them.
import { readdirSync, readFileSync } from 'node:fs';
import { processOpenFileLimit } from '@kstream/broker';

/** Fields of /proc/self/io, from the start of the process. */
export interface IoCounters {
  /** Bytes the process caused to be sent to storage: counted as page-cache pages are dirtied, so 4 KiB per page touched. */
  readonly writeBytes: number;
  /** write-family system calls, to any file: sockets, pipes and the event fds that wake threads count too. */
  readonly syscw: number;
  /** Bytes passed to those calls. */
  readonly wchar: number;
}

export function readIoCounters(): IoCounters {
  const fields = new Map(
    readFileSync('/proc/self/io', 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(': ') as [string, string]),
  );
  const field = (name: string) => {
    const value = fields.get(name);
    if (value === undefined) throw new Error(`/proc/self/io has no ${name} line`);
    return Number(value);
  };
  return { writeBytes: field('write_bytes'), syscw: field('syscw'), wchar: field('wchar') };
}

export function ioDelta(before: IoCounters, after: IoCounters): IoCounters {
  return { writeBytes: after.writeBytes - before.writeBytes, syscw: after.syscw - before.syscw, wchar: after.wchar - before.wchar };
}

/** The soft limit on open files (`ulimit -n`), as the broker reads it to size log.open.files.max; Infinity when unlimited. */
export function openFilesSoftLimit(): number {
  return processOpenFileLimit() ?? Infinity;
}

export function openFileCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/**
 * The most file descriptors open at once while it runs, sampled every
 * `everyMs` (and once at start and stop). A sample waits for the main
 * thread's event loop, so a peak shorter than its turn may be missed. A
 * sample refused with EMFILE counts as the soft limit: every descriptor the
 * process may have is open.
 */
export class FdPeak {
  readonly #limit = openFilesSoftLimit();
  #peak = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(everyMs = 100) {
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), everyMs);
    this.#timer.unref();
  }

  stop(): number {
    clearInterval(this.#timer);
    this.#sample();
    return this.#peak;
  }

  #sample(): void {
    let open: number;
    try {
      open = openFileCount();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EMFILE') throw error;
      open = this.#limit;
    }
    this.#peak = Math.max(this.#peak, open);
  }
}
