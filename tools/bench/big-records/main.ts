// npm run bench -- big-records [--quick] [--profile]
// Issue 14's big records: kcat (librdkafka) producing 16 KiB records into a
// kstream node at >= 70% of what this filesystem takes for buffered
// sequential writes of the same size, both measured in the same run. Kafka's
// own path for them is a page-cache write plus almost nothing.
// Each round, in a work dir under tmp/ (one filesystem for all of it):
// - baseline: dd bs=16k of the same bytes (the records' input file) into a
//   file there, buffered, no fsync (disk-baseline.ts); fio's buffered
//   sequential write job of the same size beside it when fio is installed;
// - kcat -P, acks=1, big batches, no compression (produce-round.ts), into a
//   fresh `kstream start --brokers 1` process and a 1-partition RF 1 topic:
//   MB/s of payload from kcat's start to its exit, and the node process's
//   CPU seconds over the run from /proc (all threads; its main thread; its
//   busiest other thread, with 1 broker normally the broker worker).
// Full: 65,536 records (1 GiB) a round, median of 5 rounds; --quick: 16,384
// (256 MiB), 2 rounds. --profile runs the node under --cpu-prof (every
// thread writes a profile) and prints the broker worker's hottest functions
// by self and inclusive time during the kcat runs (cpu-profile-summary.ts);
// profiling slows the node, so its figures are not the unprofiled ones.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countingNodeLog, parsePartArgs } from '../bench-cli.js';
import { findKcat, kcatProduceArgs } from '../client/kcat-ceiling.js';
import { loadAverage, missedTargets } from '../client/main.js';
import { type Figure, median, report } from '../harness.js';
import { writeRecordLines } from '../kcat.js';
import { printProfileSummary, type Window } from './cpu-profile-summary.js';
import { ddWrite, findFio, fioWrite, type WriteRun } from './disk-baseline.js';
import { KCAT_BATCHING, type ProduceRound, produceRound } from './produce-round.js';

const USAGE = 'usage: npm run bench -- big-records [--quick] [--profile]';
const RECORD_BYTES = 16_384;
const FULL = { records: 65_536, rounds: 5 };
const QUICK = { records: 16_384, rounds: 2 };
const RATIO_TARGET = 0.7;
const MB = 1e6;
const GB = 1e9;

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

interface Round {
  dd: WriteRun;
  fio: WriteRun | undefined;
  kcat: ProduceRound;
}

/** The filesystem `dir` is on, as df names it. */
function filesystemOf(dir: string): string {
  try {
    const [, line] = execFileSync('df', ['--output=source,fstype,target', dir], { encoding: 'utf8' }).trim().split('\n');
    const [source, type, mountedOn] = line!.trim().split(/\s+/);
    return `${source} (${type}) mounted on ${mountedOn}`;
  } catch {
    return 'unknown (df failed)';
  }
}

export async function main(args: string[]): Promise<void> {
  const profile = args.includes('--profile');
  const { quick } = parsePartArgs(
    args.filter((a) => a !== '--profile'),
    [],
    USAGE,
  );
  const { records, rounds } = quick ? QUICK : FULL;
  const totalBytes = records * RECORD_BYTES;
  const kcat = findKcat();
  if (kcat === undefined) throw new Error('kcat is not installed (no kcat on PATH); this benchmark measures kcat producing into the node');
  const fio = findFio();

  console.log(`npm run bench -- big-records ${args.join(' ')}`.trimEnd());
  console.log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown cpu'}), ${loadAverage()} at the start; ${quick ? 'quick' : 'full'}: ${rounds} rounds`);
  console.log(`records: ${records.toLocaleString('en-US')} x ${RECORD_BYTES.toLocaleString('en-US')} B values = ${totalBytes / 2 ** 20} MiB a round; MB = 10^6 bytes, GB = 10^9`);
  console.log(`node: \`kstream start --brokers 1\` in a process of its own on node ${process.version}, fresh each round, its data removed after it`);
  console.log(`${kcat.label}: ${[...kcatProduceArgs('<bootstrap>', '<topic>', 1, '<records file>'), ...KCAT_BATCHING].join(' ')}`);
  console.log(
    fio === undefined
      ? 'fio: not installed (no fio on PATH), so its buffered write job is skipped; dd alone is the baseline'
      : `${fio}: a buffered sequential write job (psync, bs=16k, no fsync) beside dd`,
  );

  await mkdir(join(repoRoot, 'tmp'), { recursive: true });
  const workDir = await mkdtemp(join(repoRoot, 'tmp', 'bench-big-records-'));
  const profileDir = profile ? await mkdtemp(join(repoRoot, 'tmp', 'bench-big-records-profiles-')) : undefined;
  console.log(`filesystem: ${filesystemOf(workDir)}, for the node's data dir and the baselines' files alike`);
  if (profile) console.log('profile: the node runs under --cpu-prof; its figures below are slowed by the profiler');

  const log = countingNodeLog();
  const onLog = (level: 'warn' | 'error', msg: string) => log.logger[level](msg);
  const measured: Round[] = [];
  try {
    const input = join(workDir, 'records.txt');
    await writeRecordLines(input, records, RECORD_BYTES);
    for (let round = 1; round <= rounds; round++) {
      const dd = await ddWrite(input, join(workDir, 'dd.out'), RECORD_BYTES, records);
      const fioRun = fio === undefined ? undefined : await fioWrite(join(workDir, 'fio.out'), RECORD_BYTES, totalBytes);
      const dataDir = join(workDir, `data-${round}`);
      const roundProfiles = profileDir === undefined ? {} : { profileDir: join(profileDir, `round-${round}`) };
      const kcatRun = await produceRound({ input, records, dataDir, onLog, ...roundProfiles });
      measured.push({ dd, fio: fioRun, kcat: kcatRun });
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
    console.log(`\n${log.summary()}`);
  }

  const perRound = {
    dd: measured.map((r) => r.dd.bytesPerSecond / MB),
    fio: measured.flatMap((r) => (r.fio === undefined ? [] : [r.fio.bytesPerSecond / MB])),
    kcat: measured.map((r) => totalBytes / r.kcat.seconds / MB),
    nodeCpu: measured.map((r) => r.kcat.nodeCpu.total),
  };
  const ratios = measured.map((_, i) => perRound.kcat[i]! / perRound.dd[i]!);
  const perGB = (cpuSeconds: (r: Round) => number) => median(measured.map((r) => cpuSeconds(r) / (totalBytes / GB)));

  const rateFigures: Figure[] = [
    { name: 'kcat -P acks=1 into kstream, 1 partition', value: median(perRound.kcat), unit: 'MB/s', baseline: { name: 'dd bs=16k', value: median(perRound.dd) } },
    ...(perRound.fio.length > 0 ? [{ name: 'fio buffered sequential write, bs=16k', value: median(perRound.fio), unit: 'MB/s' }] : []),
    { name: 'kcat / dd, each round', value: median(ratios), unit: 'x', target: { atLeast: RATIO_TARGET } },
  ];
  const cpuFigures: Figure[] = [
    { name: 'kstream node process, all threads', value: perGB((r) => r.kcat.nodeCpu.total), unit: 'CPU-s/GB', baseline: { name: 'dd', value: perGB((r) => r.dd.cpuSeconds) } },
    { name: '  its main thread', value: perGB((r) => r.kcat.nodeCpu.main), unit: 'CPU-s/GB' },
    { name: '  its busiest other thread (broker worker?)', value: perGB((r) => r.kcat.nodeCpu.busiestOther), unit: 'CPU-s/GB' },
    {
      name: '  the rest (libuv pool, V8 GC threads...)',
      value: perGB((r) => r.kcat.nodeCpu.total - r.kcat.nodeCpu.main - r.kcat.nodeCpu.busiestOther),
      unit: 'CPU-s/GB',
    },
    { name: 'kcat (librdkafka)', value: perGB((r) => r.kcat.kcatCpu), unit: 'CPU-s/GB' },
    { name: 'kstream node: cores busy during the kcat run', value: median(measured.map((r) => r.kcat.nodeCpu.total / r.kcat.seconds)), unit: 'cores' },
  ];
  // What each side could take with a core to itself, from its CPU time per byte:
  // on a machine of 2 busy cores, kcat's own cost can be the ceiling.
  const atOneCore = (cpuSeconds: (r: Round) => number) => median(measured.map((r) => totalBytes / cpuSeconds(r) / MB));
  const ceilingFigures: Figure[] = [
    { name: 'kcat, on a core of its own', value: atOneCore((r) => r.kcat.kcatCpu), unit: 'MB/s' },
    { name: "the node's busiest thread, on a core of its own", value: atOneCore((r) => r.kcat.nodeCpu.busiestOther), unit: 'MB/s' },
    { name: 'the node, all threads on one core', value: atOneCore((r) => r.kcat.nodeCpu.total), unit: 'MB/s' },
  ];
  report(`16 KiB records, ${totalBytes / 2 ** 20} MiB a round (median of ${rounds} rounds)`, rateFigures);
  report(`CPU while kcat produces (median of ${rounds} rounds; CPU seconds per GB of payload)`, cpuFigures);
  report(`Derived ceilings: payload per CPU second (median of ${rounds} rounds)`, ceilingFigures);

  const series: [string, number[]][] = [
    ['dd MB/s', perRound.dd],
    ...(perRound.fio.length > 0 ? [['fio MB/s', perRound.fio] as [string, number[]]] : []),
    ['kcat MB/s', perRound.kcat],
    ['kcat / dd', ratios],
    ['node CPU s during kcat', perRound.nodeCpu],
  ];
  console.log(
    `\nrounds:\n${series.map(([name, values]) => `  ${name.padEnd(28)} ${values.map((v) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3))).join(', ')}`).join('\n')}`,
  );

  if (profileDir !== undefined) {
    const windows: Window[] = measured.map((r) => r.kcat.window);
    await printProfileSummary(profileDir, windows);
  }
  console.log(`\nmachine ${loadAverage()} at the end`);
  const misses = missedTargets([...rateFigures, ...cpuFigures]);
  console.log(misses.length === 0 ? '\ntargets: all met' : `\nMISSED ${misses.length} target(s):\n${misses.map((m) => `  MISSED ${m}`).join('\n')}`);
}
