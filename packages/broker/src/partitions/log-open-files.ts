import { readFileSync } from 'node:fs';

/** What a broker assumes of a process whose open-file limit it cannot read (macOS's default soft limit). */
export const ASSUMED_OPEN_FILE_LIMIT = 256;
/** The least a broker's log is given: a few partitions' segments besides the checkpoint and index files being written. */
export const MIN_LOG_OPEN_FILES = 16;

/**
 * The soft limit on open files of this process (RLIMIT_NOFILE), from
 * /proc/self/limits; undefined where there is none (not Linux) or it says
 * "unlimited".
 */
export function processOpenFileLimit(): number | undefined {
  return parseOpenFileLimit(readProcLimits());
}

/** The soft "Max open files" of a /proc/<pid>/limits text. */
export function parseOpenFileLimit(limitsText: string | undefined): number | undefined {
  const line = limitsText?.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  return soft !== undefined && /^\d+$/.test(soft) ? Number(soft) : undefined;
}

function readProcLimits(): string | undefined {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * How many files one broker's log may hold open (log.open.files.max): the
 * configured number, or for 0 half of the process's open-file limit split
 * among the `brokersInProcess` brokers that share it. The other half is for
 * client and peer connections, the controller and the node.
 */
export function logOpenFiles(configured: number, brokersInProcess: number, processLimit: number | undefined): number {
  if (configured > 0) return configured;
  const limit = processLimit ?? ASSUMED_OPEN_FILE_LIMIT;
  return Math.max(MIN_LOG_OPEN_FILES, Math.floor(limit / 2 / Math.max(1, brokersInProcess)));
}
