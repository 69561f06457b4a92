// npm run bench -- log [--size 2g]
// @kstream/log-storage on the disk the repo lives on, each figure beside the
// plain way of doing the same I/O, measured in the same run:
// - append MB/s, page-cache policy, 1 MiB and 16 KiB batches, against a
//   sequential fs.write loop of the same buffers (target: >= 80% of it), and
//   against validateBatch (CRC32C) then fs.write, one after the other, and
//   with the CRC computed while the write is in flight, as the log does for
//   writes on the thread pool (over 256 KiB). Writes up to 256 KiB the log
//   makes inline (LogDirIo.inlineWriteMaxBytes: fs.writevSync after the CRC
//   check), so the figures also stand beside an fs.writeSync loop, and
//   validateBatch then fs.writeSync: the same I/O done the same way.
//   In steady state a broker appends to a long-lived log, so each of the six
//   appends to one long-lived file through all its rounds: the log is opened
//   and its first batch written (which records leader epoch 0 and fsyncs
//   leader-epoch-checkpoint) before the rounds, as a one-batch head; each plain
//   file gets the same head. Rounds used to open a fresh log each, which put
//   that open-time fsync (about 1 ms, 5-7% of a 64 MiB round of 1 MiB
//   batches) inside the log's figure and not the loops'. After each round,
//   untimed, every file is cut back to its head (truncateTo for the log,
//   ftruncate for the plain files), so dirty pages do not pile up for
//   writeback to compete with the next rounds;
// - durable policy, 64 concurrent appenders of 16 KiB (group commit),
//   against write + fdatasync per write;
// - read MB/s from the start of a --size log (default 2 GiB) against plain
//   sequential reads of its segment files, without and with the CRC check
//   every served batch gets;
// - reopen time after a clean shutdown (against opening and stat-ing the
//   segment files) and after a crash, i.e. with no recovery point (against
//   reading every byte once).
// Data goes under tmp/bench-log in the repo (git-ignored) and is deleted.

import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logConfig, PartitionLog, type LogConfig } from '@kstream/log-storage';
import { validateBatch } from '@kstream/protocol';
import { measureMicros, median, report, type Figure } from '../harness.js';
import { benchBatch } from './bench-batch.js';

const MiB = 1024 * 1024;
const ROOT = resolve(fileURLToPath(import.meta.url), '../../../../tmp/bench-log');
const TOPIC = 'bench';

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/i.exec(text.trim());
  if (!match) throw new Error(`--size: cannot read "${text}" (try 2g, 512m, 1073741824)`);
  const unit = { '': 1, k: 1024, m: MiB, g: 1024 * MiB }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.floor(Number(match[1]) * unit);
}

function argValue(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at >= 0) return args[at + 1];
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

function promised<T>(start: (cb: (error: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value))));
}

const write = (fd: number, buf: Buffer, position: number) => promised<number>((cb) => fs.write(fd, buf, 0, buf.length, position, cb));
const read = (fd: number, buf: Buffer, position: number) => promised<number>((cb) => fs.read(fd, buf, 0, buf.length, position, cb));
const fdatasync = (fd: number) => promised<void>((cb) => fs.fdatasync(fd, (e) => cb(e, undefined)));

let scratch = 0;
function freshDir(): string {
  const dir = join(ROOT, `run-${scratch++}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function openLog(logDir: string, config: LogConfig, recoveryPoint?: bigint): Promise<PartitionLog> {
  return PartitionLog.open({ logDir, topic: TOPIC, partition: 0, config, recoveryPoint });
}

/** Seconds taken by `fn`. */
async function timed(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** One of the compared ways to append: `round` appends a round's batches and returns MiB/s. */
interface Appender {
  round(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Page-cache appends of `batchSize` batches against an fs.write loop, and
 * against validateBatch before, or during, each fs.write; against an
 * fs.writeSync loop, and validateBatch before each fs.writeSync. The machine is
 * shared and noisy, so all six run in short interleaved rounds (rotating who
 * goes first) and each figure is a median: load that comes and goes hits all
 * of them alike. The overlap only pays when a core is free for the write.
 * Each appends to its own long-lived file, cut back to its one-batch head
 * after every round (see the header).
 */
async function appendFigures(batchSize: number, roundBytes: number, rounds: number): Promise<Figure[]> {
  const batch = benchBatch(batchSize, Math.max(1, batchSize >> 10));
  const count = Math.max(1, Math.floor(roundBytes / batchSize));
  const config = logConfig();
  const mib = (count * batchSize) / MiB;

  // 'before': validateBatch, then the write; 'during': validateBatch while the write is in flight, as the log does on the thread pool.
  // inline: fs.writeSync, as the log does for small writes.
  const plainLoop = async (check: 'none' | 'before' | 'during', inline = false): Promise<Appender> => {
    const dir = freshDir();
    const fd = fs.openSync(join(dir, 'plain.bin'), 'w+');
    await write(fd, batch, 0);
    return {
      round: async () => {
        const seconds = await timed(async () => {
          for (let i = 0, position = batchSize; i < count; i++, position += batchSize) {
            if (check === 'before' && !validateBatch(batch).ok) throw new Error('bench batch is invalid');
            if (inline) {
              fs.writeSync(fd, batch, 0, batch.length, position);
              continue;
            }
            const writing = write(fd, batch, position);
            if (check === 'during' && !validateBatch(batch).ok) throw new Error('bench batch is invalid');
            await writing;
          }
        });
        fs.ftruncateSync(fd, batchSize);
        return mib / seconds;
      },
      close: async () => {
        fs.closeSync(fd);
        fs.rmSync(dir, { recursive: true });
      },
    };
  };
  const logLoop = async (): Promise<Appender> => {
    const dir = freshDir();
    const log = await openLog(dir, config);
    const { lastOffset } = await log.appendAsLeader(batch, 0);
    return {
      round: async () => {
        const seconds = await timed(async () => {
          for (let i = 0; i < count; i++) await log.appendAsLeader(batch, 0);
        });
        await log.truncateTo(lastOffset + 1n);
        return mib / seconds;
      },
      close: async () => {
        await log.close();
        fs.rmSync(dir, { recursive: true });
      },
    };
  };

  const variants = [await plainLoop('none'), await plainLoop('before'), await plainLoop('during'), await plainLoop('none', true), await plainLoop('before', true), await logLoop()];
  const rates: number[][] = variants.map(() => []);
  for (let round = 0; round <= rounds; round++) {
    for (let k = 0; k < variants.length; k++) {
      const v = (round + k) % variants.length;
      const rate = await variants[v]!.round();
      if (round > 0) rates[v]!.push(rate); // round 0 warms up
    }
  }
  for (const v of variants) await v.close();
  const [plain, checked, overlapped, plainInline, checkedInline, logged] = rates.map(median) as [number, number, number, number, number, number];
  const name = `append ${batchSize >= MiB ? `${batchSize / MiB} MiB` : `${batchSize / 1024} KiB`} batches, page cache`;
  return [
    { name, value: logged, unit: 'MiB/s', baseline: { name: 'fs.write loop', value: plain }, target: { atLeast: 0.8 * plain } },
    { name, value: logged, unit: 'MiB/s', baseline: { name: 'validateBatch + fs.write loop', value: checked } },
    { name, value: logged, unit: 'MiB/s', baseline: { name: 'validateBatch during fs.write loop', value: overlapped } },
    { name, value: logged, unit: 'MiB/s', baseline: { name: 'fs.writeSync loop', value: plainInline } },
    { name, value: logged, unit: 'MiB/s', baseline: { name: 'validateBatch + fs.writeSync loop', value: checkedInline } },
  ];
}

/** 64 appenders of 16 KiB under the durable policy against write + fdatasync per write. */
async function durableFigures(seconds: number): Promise<Figure[]> {
  const size = 16 * 1024;
  const appenders = 64;
  const logDir = freshDir();
  const log = await openLog(logDir, logConfig({ flushPolicy: 'durable' }));
  let appends = 0;
  const deadline = Date.now() + seconds * 1000;
  const logSeconds = await timed(async () => {
    await Promise.all(
      Array.from({ length: appenders }, async () => {
        const batch = benchBatch(size, 16);
        while (Date.now() < deadline) {
          await log.appendAsLeader(batch, 0);
          appends++;
        }
      }),
    );
  });
  await log.close();
  fs.rmSync(logDir, { recursive: true });

  const plainDir = freshDir();
  const fd = fs.openSync(join(plainDir, 'plain.bin'), 'w+');
  const batch = benchBatch(size, 16);
  let writes = 0;
  const plainDeadline = Date.now() + seconds * 1000;
  const plainSeconds = await timed(async () => {
    for (let position = 0; Date.now() < plainDeadline; position += size) {
      await write(fd, batch, position);
      await fdatasync(fd);
      writes++;
    }
  });
  fs.closeSync(fd);
  fs.rmSync(plainDir, { recursive: true });

  const logRate = appends / logSeconds;
  const plainRate = writes / plainSeconds;
  return [
    { name: `durable appends, ${appenders} appenders x 16 KiB`, value: logRate, unit: 'appends/s', baseline: { name: 'fdatasync per write', value: plainRate } },
    {
      name: `durable append throughput, ${appenders} x 16 KiB`,
      value: (logRate * size) / MiB,
      unit: 'MiB/s',
      baseline: { name: 'fdatasync per write', value: (plainRate * size) / MiB },
    },
  ];
}

function segmentFiles(logDir: string): string[] {
  const dir = join(logDir, `${TOPIC}-0`);
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.log'))
    .sort()
    .map((n) => join(dir, n));
}

/** Builds a `size`-byte log of 1 MiB batches, then measures reads and reopens of it. */
async function bigLogFigures(size: number): Promise<Figure[]> {
  const logDir = freshDir();
  const config = logConfig();
  const batch = benchBatch(MiB, 1024);
  let log = await openLog(logDir, config);
  for (let written = 0; written < size; written += MiB) await log.appendAsLeader(batch, 0);
  await log.close();
  const end = log.logEndOffset;
  const files = segmentFiles(logDir);

  const readRates: number[] = [];
  const plainReadRates: number[] = [];
  const checkedReadRates: number[] = [];
  log = await openLog(logDir, config, end);
  for (let round = 0; round < 3; round++) {
    let bytes = 0;
    const logSeconds = await timed(async () => {
      for (let offset = 0n; offset < end; ) {
        const result = await log.read(offset, { maxBytes: MiB });
        bytes += result.records.length;
        offset = result.nextOffset;
      }
    });
    readRates.push(bytes / MiB / logSeconds);
    // A fetch hands its bytes on, so each plain read gets a new buffer too.
    const plainRead = async (check: boolean): Promise<number> => {
      let plainBytes = 0;
      const seconds = await timed(async () => {
        for (const file of files) {
          const fd = fs.openSync(file, 'r');
          for (let position = 0, n = 1; n > 0; position += n) {
            const buffer = Buffer.allocUnsafe(MiB);
            n = await read(fd, buffer, position);
            if (check && n > 0 && !validateBatch(buffer.subarray(0, n)).ok) throw new Error(`bad batch at ${position}`);
            plainBytes += n;
          }
          fs.closeSync(fd);
        }
      });
      return plainBytes / MiB / seconds;
    };
    plainReadRates.push(await plainRead(false));
    checkedReadRates.push(await plainRead(true));
  }
  await log.close();

  const cleanMs =
    (await measureMicros(
      async () => {
        const reopened = await openLog(logDir, config, end);
        await reopened.close();
      },
      { rounds: 7, warmup: 1 },
    )) / 1000;
  const statMs =
    (await measureMicros(
      () => {
        for (const file of files) {
          const fd = fs.openSync(file, 'r');
          fs.fstatSync(fd);
          fs.closeSync(fd);
        }
      },
      { rounds: 7, warmup: 1 },
    )) / 1000;
  const crashMs =
    (await measureMicros(
      async () => {
        const recovered = await openLog(logDir, config);
        if (recovered.logEndOffset !== end) throw new Error(`recovery lost data: ${recovered.logEndOffset} != ${end}`);
        await recovered.close();
      },
      { rounds: 3, warmup: 0 },
    )) / 1000;
  const scanMs =
    (await measureMicros(
      async () => {
        const buffer = Buffer.allocUnsafe(8 * MiB);
        for (const file of files) {
          const fd = fs.openSync(file, 'r');
          for (let position = 0, n = 1; n > 0; position += n) n = await read(fd, buffer, position);
          fs.closeSync(fd);
        }
      },
      { rounds: 3, warmup: 0 },
    )) / 1000;
  fs.rmSync(logDir, { recursive: true });

  const gib = (size / (1024 * MiB)).toFixed(size >= 1024 * MiB ? 0 : 2);
  return [
    {
      name: `read a ${gib} GiB log from the start, 1 MiB fetches`,
      value: median(readRates),
      unit: 'MiB/s',
      baseline: { name: 'fs.read of the .log files', value: median(plainReadRates) },
    },
    {
      name: `read a ${gib} GiB log from the start, 1 MiB fetches`,
      value: median(readRates),
      unit: 'MiB/s',
      baseline: { name: 'fs.read + validateBatch', value: median(checkedReadRates) },
    },
    { name: `reopen ${gib} GiB after a clean shutdown`, value: cleanMs, unit: 'ms', baseline: { name: 'open+fstat the .log files', value: statMs } },
    { name: `reopen ${gib} GiB after a crash (full recovery)`, value: crashMs, unit: 'ms', baseline: { name: 'read every byte once', value: scanMs } },
  ];
}

export async function main(args: string[]): Promise<void> {
  const size = parseSize(argValue(args, '--size') ?? '2g');
  fs.rmSync(ROOT, { recursive: true, force: true });
  fs.mkdirSync(ROOT, { recursive: true });
  try {
    const roundBytes = Math.min(size, 64 * MiB);
    report(`log: appends, page-cache policy (${roundBytes / MiB} MiB per round, 11 interleaved rounds)`, [
      ...(await appendFigures(MiB, roundBytes, 11)),
      ...(await appendFigures(16 * 1024, roundBytes, 11)),
    ]);
    report('log: durable policy (group commit), 3 s each', await durableFigures(3));
    report(`log: a ${(size / MiB).toFixed(0)} MiB log (reads served from the page cache)`, await bigLogFigures(size));
  } finally {
    fs.rmSync(ROOT, { recursive: true, force: true });
  }
}
