// The baselines of the big-records benchmark: what this filesystem takes for
// buffered sequential writes of the records' size and total, measured with
// the plain tools in the same run. Buffered (no fsync, no O_DIRECT) because
// that is Kafka's own produce path: a write into the page cache. Each file
// is removed once measured; nothing is dropped from the caches (that needs
// root and would slow everything else on the machine).
import { execFile, execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { reapedChildrenCpuSeconds } from './proc-cpu.js';

const run = promisify(execFile);

export interface WriteRun {
  /** Bytes written per second. */
  bytesPerSecond: number;
  /** The tool's user plus system CPU seconds. */
  cpuSeconds: number;
}

/**
 * `dd if=<input> of=<output> bs=<blockBytes> count=<blocks>`, timed from its
 * start to its exit (the last write(2) returned: the data is in the page
 * cache). Reading `input` from the page cache costs dd a copy, as receiving
 * from a socket costs the broker one.
 */
export async function ddWrite(input: string, output: string, blockBytes: number, blocks: number): Promise<WriteRun> {
  const cpuBefore = reapedChildrenCpuSeconds();
  const start = process.hrtime.bigint();
  try {
    await run('dd', [`if=${input}`, `of=${output}`, `bs=${blockBytes}`, `count=${blocks}`, 'status=none']);
  } catch (error) {
    throw new Error(`dd if=${input} of=${output} bs=${blockBytes} count=${blocks} failed: ${(error as { stderr?: string }).stderr ?? error}`);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuSeconds = reapedChildrenCpuSeconds() - cpuBefore;
  await rm(output, { force: true });
  return { bytesPerSecond: (blockBytes * blocks) / seconds, cpuSeconds };
}

/** fio's version if it is on PATH, e.g. "fio-3.33". */
export function findFio(): string | undefined {
  try {
    return execFileSync('fio', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return undefined;
  }
}

interface FioReport {
  jobs: { error: number; write: { io_bytes: number; bw_bytes?: number; runtime: number } }[];
}

/**
 * One fio job writing `totalBytes` sequentially in `blockBytes` writes with
 * psync, buffered, no fsync at the end: the page-cache path dd takes, with
 * fio's own clock (it leaves out its start and its layout of the file).
 */
export async function fioWrite(output: string, blockBytes: number, totalBytes: number): Promise<WriteRun> {
  const args = [
    '--name=big-records',
    `--filename=${output}`,
    '--rw=write',
    `--bs=${blockBytes}`,
    `--size=${totalBytes}`,
    '--ioengine=psync',
    '--direct=0',
    '--end_fsync=0',
    '--fallocate=none',
    '--output-format=json',
  ];
  const cpuBefore = reapedChildrenCpuSeconds();
  let stdout: string;
  try {
    ({ stdout } = await run('fio', args, { maxBuffer: 16 * 1024 * 1024 }));
  } catch (error) {
    throw new Error(`fio ${args.join(' ')} failed: ${(error as { stderr?: string }).stderr ?? error}`);
  }
  const cpuSeconds = reapedChildrenCpuSeconds() - cpuBefore;
  await rm(output, { force: true });
  // fio may print notes before its JSON.
  const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as FioReport;
  const job = report.jobs[0];
  if (job === undefined || job.error !== 0) throw new Error(`fio ${args.join(' ')}: job failed (error ${job?.error ?? 'no job in its report'})`);
  const { io_bytes, bw_bytes, runtime } = job.write;
  return { bytesPerSecond: bw_bytes ?? (io_bytes * 1000) / runtime, cpuSeconds };
}
