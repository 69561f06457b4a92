// The log cleaner's throughput beside a plain sequential read of the same
// segment files, measured in the same run: a log of ~256 MiB (--quick:
// 32 MiB) of 1 KiB records over keys of which 10% are live (each key
// written ten times), in 32 MiB segments; each round runs cleanLog — the
// pool task's function, in this thread — over the whole log (every segment
// but the active one dirty) and removes the .cleaned files it wrote, so
// every round cleans the same log. Figures are medians of the rounds.
import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeRecordBatch } from '@kstream/protocol';
import { cleanLog, defaultLogCleanerConfig, LogCleaner, LogDirIo, logConfig, PartitionLog, type CleanJob } from '@kstream/log-storage';
import { median } from '../harness.js';

const MiB = 1024 * 1024;
const ROOT = resolve(fileURLToPath(import.meta.url), '../../../../tmp/bench-cleaner');
const RECORD_VALUE_BYTES = 1000;
const RECORDS_PER_BATCH = 64;
const ROUNDS = 5;

export interface CleanerFigures {
  cleanerMBps: number;
  readMBps: number;
  ratio: number;
  lines: string[];
}

async function buildLog(dir: string, bytes: number): Promise<PartitionLog> {
  const log = await PartitionLog.open({
    logDir: dir,
    topic: 'bench',
    partition: 0,
    config: logConfig({ cleanupPolicy: ['compact'], minCleanableDirtyRatio: 0, segmentBytes: 32 * MiB, retentionMs: -1 }),
  });
  const records = Math.ceil(bytes / (RECORD_VALUE_BYTES + 30));
  const keys = Math.max(1, Math.floor(records / 10));
  const value = Buffer.alloc(RECORD_VALUE_BYTES, 0x61);
  for (let first = 0; first < records; first += RECORDS_PER_BATCH) {
    const batch = await encodeRecordBatch({
      records: Array.from({ length: Math.min(RECORDS_PER_BATCH, records - first) }, (_, i) => ({
        key: Buffer.from(`key-${(first + i) % keys}`),
        value,
      })),
    });
    await log.appendAsLeader(batch, 0);
  }
  await log.roll();
  return log;
}

/** The job the broker's cleaner would hand the pool for the log now. */
async function jobFor(log: PartitionLog): Promise<CleanJob> {
  let job: CleanJob | undefined;
  const cleaner = await LogCleaner.open({
    io: new LogDirIo(log.logDir),
    logs: () => [{ log, lastStableOffset: log.logEndOffset }],
    execute: async (captured) => {
      job = captured;
      throw new Error('captured');
    },
    config: defaultLogCleanerConfig,
  });
  await cleaner.cleanFilthiestLog().catch(() => {});
  if (job === undefined) throw new Error('the cleaner found nothing to clean');
  return job;
}

function segmentFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.log'))
    .sort()
    .map((name) => join(dir, name));
}

function removeCleaned(dir: string): void {
  for (const name of fs.readdirSync(dir)) if (name.endsWith('.cleaned')) fs.rmSync(join(dir, name));
}

/** Reads every segment file front to back in 1 MiB reads; returns the bytes read. */
function plainRead(files: readonly string[]): number {
  const buffer = Buffer.allocUnsafe(MiB);
  let total = 0;
  for (const file of files) {
    const fd = fs.openSync(file, 'r');
    try {
      for (let n: number; (n = fs.readSync(fd, buffer, 0, MiB, null)) > 0; ) total += n;
    } finally {
      fs.closeSync(fd);
    }
  }
  return total;
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export async function measureCleaner(options: { quick: boolean }): Promise<CleanerFigures> {
  const dir = join(ROOT, `run-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  try {
    const log = await buildLog(dir, (options.quick ? 32 : 256) * MiB);
    const job = await jobFor(log);
    const partitionDir = log.dir;
    const files = segmentFiles(partitionDir);
    const logBytes = job.segments.reduce((n, s) => n + s.size, 0);
    const cleanRates: number[] = [];
    const readRates: number[] = [];
    let retained = 0;
    for (let round = 0; round <= ROUNDS; round++) {
      const readStart = process.hrtime.bigint();
      const read = plainRead(files);
      const readSeconds = seconds(readStart);
      const cleanStart = process.hrtime.bigint();
      const summary = await cleanLog(job);
      const cleanSeconds = seconds(cleanStart);
      removeCleaned(partitionDir);
      retained = summary.bytesWritten;
      // The first round warms the page cache and the JIT.
      if (round === 0) continue;
      readRates.push(read / MiB / readSeconds);
      cleanRates.push(logBytes / MiB / cleanSeconds);
    }
    await log.close();
    const cleanerMBps = median(cleanRates);
    const readMBps = median(readRates);
    const ratio = cleanerMBps / readMBps;
    const lines = [
      `log cleaner: ${(logBytes / MiB).toFixed(0)} MiB log, ${job.segments.length - 1} segments, 10% live keys -> ${(retained / MiB).toFixed(1)} MiB kept`,
      `  cleanLog          ${cleanerMBps.toFixed(1)} MB/s (median of ${ROUNDS})`,
      `  sequential read   ${readMBps.toFixed(1)} MB/s (same segments, 1 MiB reads)`,
      `  ratio             ${(ratio * 100).toFixed(1)}% of a plain read`,
    ];
    return { cleanerMBps, readMBps, ratio, lines };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
