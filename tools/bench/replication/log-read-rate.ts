// The catch-up figure's baseline: a partition's log read from start to end
// with @kstream/log-storage in 1 MiB reads — the rate at which a follower
// could at best copy it. Read from a copy, since the broker owns the original.
import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LogDirectory, partitionDirName, type PartitionLog } from '@kstream/log-storage';
import { median } from '../harness.js';

const READ_BYTES = 1024 * 1024;
const READS = 3;

/** Bytes per second of reading `log` whole from its start, in READ_BYTES reads. */
async function readWhole(log: PartitionLog, what: string): Promise<number> {
  const end = log.logEndOffset;
  let offset = log.logStartOffset;
  let bytes = 0;
  const start = process.hrtime.bigint();
  while (offset < end) {
    const { records, nextOffset } = await log.read(offset, { maxBytes: READ_BYTES });
    if (nextOffset <= offset) throw new Error(`reading ${what}: stuck at offset ${offset} of ${end}`);
    bytes += records.length;
    offset = nextOffset;
  }
  return bytes / (Number(process.hrtime.bigint() - start) / 1e9);
}

/**
 * Copies `replicaDir` (the log of `topic`-`partition`) under `scratch`, opens
 * it, reads it whole once untimed (the first pass in a process runs the read
 * path cold: 3-8x slower) and returns the median rate of READS passes, in
 * bytes per second. The copy was just written, so it is read from the page
 * cache, as a follower catching up reads the leader's log.
 */
export async function logReadRate(replicaDir: string, topic: string, partition: number, scratch: string): Promise<number> {
  await mkdir(scratch, { recursive: true });
  await cp(replicaDir, join(scratch, partitionDirName(topic, partition)), { recursive: true });
  const dir = await LogDirectory.open(scratch);
  try {
    const log = await dir.openLog(topic, partition);
    const what = `${topic}-${partition} copied from ${replicaDir}`;
    await readWhole(log, what);
    const rates: number[] = [];
    for (let i = 0; i < READS; i++) rates.push(await readWhole(log, what));
    return median(rates);
  } finally {
    await dir.close();
    await rm(scratch, { recursive: true, force: true });
  }
}
