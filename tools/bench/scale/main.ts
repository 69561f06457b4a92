// npm run bench -- scale [--quick]
// How a node copes with many partitions (issue 14, "Start in a blink, scale
// to 10,000 partitions"). Each round, in fresh child processes that hold the
// node (from source: tsx, the @kstream/source condition, --expose-gc), on a
// fresh data dir:
// - create: a 3-broker node, then 100 topics x 100 partitions (10 x 100 with
//   --quick) through @kstream/client's Admin, 10 topics a createTopics call,
//   with the node's default.replication.factor (3, one replica a broker, when
//   that is 1); the time until every broker lists all its replicas' logs
//   open (DescribeLogDirs); the process's RSS and each thread's live heap
//   (the control API's heapUsage: every broker's and the main thread's)
//   before creating and once the logs are open, each settled and after a
//   gc() of every thread; each time, the process's CPU over 5 s of nothing
//   asked of the node (the idle cost of the partitions: replica fetch
//   sessions, ISR checks, checkpoints); its peak of open descriptors; then 1,000 clients from another process asking
//   ApiVersions, then Metadata for one topic, one request at a time each,
//   for 5 s (2 s); stop();
// - restart: another process starts a node on that data dir and sends one
//   record (acks=all), then one to each of 100 other partitions; timed from
//   the startCluster call, with /proc/self/io from just before the call to the
//   first ack, the data dir's files compared from before the call to the last
//   ack, and its peak of open descriptors.
// Three rounds, medians (one if the first round shows three would pass about
// five minutes, or failed a step; --quick: one). Each round's data dir is
// kept until every round is done: on ext4, removing a round's ~30,000 files
// and directories made the next round's creation spend ~7x the system time
// (perf: ext4_create in recently_deleted, which skips inodes freed in the
// last 30 s) — the bench measuring its own cleanup, not the node. A step the node fails (a
// createTopics call, a produce, stop()) is printed in place of its figures; a
// child that crashes fails the benchmark.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePartArgs } from '../bench-cli.js';
import { runInChild, THIS_NODE } from '../client/child.js';
import { loadAverage, missedTargets } from '../client/main.js';
import { BROKERS, type CreateJob, type CreateResult, type Layout, type RestartJob, type RestartResult } from './messages.js';
import { type ReportSettings, type Round, ScaleReport } from './scale-report.js';

const USAGE = 'usage: npm run bench -- scale [--quick]';
const NODE_CHILD = fileURLToPath(new URL('./node-child.ts', import.meta.url));
const FULL_ROUNDS = 3;
/** Three rounds should fit in about five minutes; a longer first round leaves it at one. */
const ROUNDS_BUDGET_MS = 5 * 60_000;
const CHILD_TIMEOUT_MS = 10 * 60_000;

/** runInChild takes no node flags of its own; NODE_OPTIONS carries --expose-gc to the children (and theirs). */
function exposeGcInChildren(): void {
  const options = process.env.NODE_OPTIONS ?? '';
  if (!options.split(/\s+/).includes('--expose-gc')) process.env.NODE_OPTIONS = `${options} --expose-gc`.trim();
}

async function runRound(dataDir: string, settings: ReportSettings): Promise<Round> {
  const createJob: CreateJob = {
    kind: 'create',
    client: 'kstream',
    dataDir,
    ...settings.layout,
    topicsPerCall: settings.topicsPerCall,
    settleMs: settings.settleMs,
    idleMs: settings.idleMs,
    load: { connections: settings.clients, seconds: settings.loadSeconds },
  };
  const create = await runInChild<CreateResult>(createJob, { node: THIS_NODE, timeoutMs: CHILD_TIMEOUT_MS, worker: NODE_CHILD });
  const restartJob: RestartJob = { kind: 'restart', client: 'kstream', dataDir, ...settings.layout, spreadPartitions: settings.spreadPartitions };
  const restart = await runInChild<RestartResult>(restartJob, { node: THIS_NODE, timeoutMs: CHILD_TIMEOUT_MS, worker: NODE_CHILD });
  return { create, restart };
}

/** Why no further round is worth running after the first, if none is. */
function lastRoundWhy(round: Round, roundMs: number, maxRounds: number): string | undefined {
  if (round.create.creationFailure !== null || round.restart.failure !== null) return 'round 1 failed a step, and another would fail it again';
  if (roundMs * maxRounds > ROUNDS_BUDGET_MS) return `round 1 took ${(roundMs / 1000).toFixed(0)} s, so ${maxRounds} would take over ${ROUNDS_BUDGET_MS / 60_000} minutes`;
  return undefined;
}

export async function main(args: string[]): Promise<void> {
  const { quick } = parsePartArgs(args, [], USAGE);
  const layout: Layout = quick ? { topics: 10, partitionsPerTopic: 100 } : { topics: 100, partitionsPerTopic: 100 };
  const settings: ReportSettings = { layout, topicsPerCall: 10, settleMs: 2_000, idleMs: 5_000, spreadPartitions: 100, clients: 1_000, loadSeconds: quick ? 2 : 5 };
  const maxRounds = quick ? 1 : FULL_ROUNDS;
  console.log(`npm run bench -- scale ${args.join(' ')}`.trimEnd());
  console.log(
    `machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown cpu'}), ${loadAverage()} at the start; ${quick ? 'quick: 1 round' : `up to ${maxRounds} rounds`}`,
  );
  console.log(
    `node: ${BROKERS} brokers from source in fresh child processes on node ${process.version} with --expose-gc, each round's data in a fresh tmp dir, all removed at the end`,
  );

  exposeGcInChildren();
  const workDir = await mkdtemp(join(tmpdir(), 'kstream-bench-scale-'));
  const rounds: Round[] = [];
  try {
    for (let i = 0; i < maxRounds; i++) {
      const started = performance.now();
      const dataDir = join(workDir, `data-${i}`);
      const round = await runRound(dataDir, settings);
      rounds.push(round);
      const roundMs = performance.now() - started;
      console.log(`round ${i + 1}: ${(roundMs / 1000).toFixed(1)} s`);
      const why = i === 0 && maxRounds > 1 ? lastRoundWhy(round, roundMs, maxRounds) : undefined;
      if (why !== undefined) {
        console.log(`1 round only: ${why}`);
        break;
      }
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }

  const report = new ScaleReport(rounds, settings);
  report.creation();
  report.memory();
  report.restart();
  report.restartWrites();
  report.descriptors();
  report.requests();
  report.roundsAndLogs();
  console.log(`\nmachine ${loadAverage()} at the end`);
  const misses = missedTargets(report.figures);
  console.log(misses.length === 0 ? '\ntargets: all met' : `\nMISSED ${misses.length} target(s):\n${misses.map((m) => `  MISSED ${m}`).join('\n')}`);
}
