// One groups fault run, start to verdict: a 3-broker node, a topic of 6
// partitions with replication factor 3 (min.insync.replicas=2, and so
// __consumer_offsets too), one producer writing unique values with
// acks=all, a group of kafkajs members consuming and committing after each
// batch, a sampler reading the committed offsets, while the group nemesis
// crashes and pauses brokers (the coordinator's among them), cuts links and
// kills members. Then everything healed, the producer stopped, each
// partition's log read from its leader, the members stopped, and a fresh
// member of the same group draining what is left; the groups checker's
// verdict with its summary.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTempDir, removeDir } from '../../src/cluster.test-support.js';
import { LogCapture } from '../../src/log-capture.test-support.js';
import { createTopic, FAULT_RUN_BROKER_CONFIG, FAULT_RUN_BROKERS, FAULT_RUN_PARTITIONS, settle, startFaultNode } from './fault-run.test-support.js';
import type { LogRecord } from './final-state.test-support.js';
import { readServedPartition } from './final-state-reader.test-support.js';
import { checkGroupHistory, type GroupCheckResult } from './group-checker.test-support.js';
import { GroupHistoryRecorder, type GroupHistory } from './group-history.test-support.js';
import { GroupMember, type GroupMemberOptions } from './group-member.test-support.js';
import { GroupNemesis, type GroupNemesisKind } from './group-nemesis.test-support.js';
import { OffsetSampler } from './group-offset-sampler.test-support.js';
import { groupFaultTimeline, summarizeGroups } from './group-summary.test-support.js';
import { HistoryRecorder } from './history.test-support.js';
import { startOwnProducer } from './own-producer.test-support.js';
import { ConnectionPool, LeaderDirectory } from './raw-cluster.test-support.js';
import type { Workload } from './workload.test-support.js';

export interface GroupFaultRunOptions {
  readonly seed: number;
  readonly faults: number;
  /** Members consuming at once (a killed one is replaced). */
  readonly members: number;
  readonly kinds?: readonly GroupNemesisKind[];
  readonly log?: (line: string) => void;
  /** Keep the data dir, with the run's history as history.json (always kept when the checker finds a violation). */
  readonly keepDataDir?: boolean;
}

export interface GroupFaultRunResult {
  readonly history: GroupHistory;
  readonly result: GroupCheckResult;
  readonly summary: string;
  /** The fresh member committed up to every partition's end before DRAIN_TIMEOUT_MS. */
  readonly drained: boolean;
  readonly dataDir: string | null;
}

/** The replication run's settings, groups that settle within a second, and a small __consumer_offsets (RF 3 by default). */
export const GROUP_RUN_BROKER_CONFIG: Readonly<Record<string, string>> = {
  ...FAULT_RUN_BROKER_CONFIG,
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '1000',
  'offsets.topic.num.partitions': '6',
};

const MEMBER_TIMEOUTS = { sessionTimeoutMs: 5_000, rebalanceTimeoutMs: 8_000, heartbeatIntervalMs: 500, requestTimeoutMs: 4_000 } as const;
const PRODUCE_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 4_000;
const SETTLE_TIMEOUT_MS = 20_000;
const COORDINATOR_TIMEOUT_MS = 20_000;
const DRAIN_TIMEOUT_MS = 30_000;

export async function runGroupFaults(options: GroupFaultRunOptions): Promise<GroupFaultRunResult> {
  const log = options.log ?? (() => {});
  log(`seed=${options.seed} faults=${options.faults} members=${options.members} workload=groups`);
  const topic = `groups-${options.seed}`;
  const dataDir = await makeTempDir('group-faults');
  const nodeLog = new LogCapture();
  const cluster = await startFaultNode(dataDir, GROUP_RUN_BROKER_CONFIG, nodeLog);
  let stopped = false;
  const workloads: Workload[] = [];
  const members: GroupMember[] = [];
  try {
    const port = (id: number): number => cluster.brokers.find((b) => b.id === id)!.port;
    const recorder = new GroupHistoryRecorder(new HistoryRecorder(options.seed, topic), `group-${options.seed}`);
    const seconds = (): string => `${(recorder.now() / 1000).toFixed(1)} s`;
    await createTopic(cluster.bootstrap, topic);
    const producerPool = new ConnectionPool(port);
    const samplerPool = new ConnectionPool(port);
    const leaders = new LeaderDirectory(producerPool, FAULT_RUN_BROKERS, topic);
    await settle(leaders, SETTLE_TIMEOUT_MS);
    const sampler = new OffsetSampler(samplerPool, FAULT_RUN_BROKERS, recorder, FAULT_RUN_PARTITIONS, REQUEST_TIMEOUT_MS);
    await untilCoordinator(sampler);
    workloads.push(sampler);
    log(`node started, topic ${topic} ready, coordinator of ${recorder.group} is broker ${await sampler.coordinator()} at ${seconds()}`);

    const memberOptions = (name: string): GroupMemberOptions => ({ name, bootstrap: cluster.bootstrap, group: recorder.group, ...MEMBER_TIMEOUTS });
    let started = 0;
    const startMember = async (): Promise<GroupMember> => {
      const member = await GroupMember.start(memberOptions(`member-${++started}`), recorder);
      members.push(member);
      return member;
    };
    const live: GroupMember[] = [];
    for (let i = 0; i < options.members; i++) live.push(await startMember());
    const producer = startOwnProducer(
      { name: 'own-1', partitions: FAULT_RUN_PARTITIONS, produceTimeoutMs: PRODUCE_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS, pauseMs: 10 },
      producerPool,
      leaders,
      recorder.base,
    );
    workloads.push(producer);
    sampler.start();
    await sleep(2_000);

    const nemesis = new GroupNemesis(cluster.control, recorder, {
      seed: options.seed,
      faults: options.faults,
      brokers: FAULT_RUN_BROKERS,
      ...(options.kinds === undefined ? {} : { kinds: options.kinds }),
      coordinator: () => sampler.coordinator(),
      log,
      killMember: async (random) => {
        const victim = live.splice(random.below(live.length), 1)[0]!;
        victim.kill();
        const replacement = await startMember();
        live.push(replacement);
        return `${victim.name}, replaced by ${replacement.name}`;
      },
    });
    await nemesis.run();
    await cluster.control.healAll();
    log(`faults done at ${seconds()}; healed all`);
    await sleep(1_000);
    await producer.stop();
    const unsettled = await settle(leaders, SETTLE_TIMEOUT_MS);
    log(`producer stopped and ISRs ${unsettled.length === 0 ? 'full' : `not full on partitions ${unsettled.join(', ')}`} at ${seconds()}`);
    const finalLogs = new Map<number, LogRecord[]>();
    for (let p = 0; p < FAULT_RUN_PARTITIONS; p++) finalLogs.set(p, (await readServedPartition(producerPool, leaders, p)).log);

    await Promise.all(members.map((m) => m.stop()));
    log(`members stopped at ${seconds()}; a fresh member drains`);
    const drain = await startMember();
    const drained = await untilCommittedToTheEnd(sampler, finalLogs);
    await drain.stop();
    await sampler.stop();
    log(`${drained ? 'drained' : `not drained within ${DRAIN_TIMEOUT_MS} ms`} at ${seconds()}`);
    producerPool.close();
    samplerPool.close();
    stopped = true;
    await cluster.stop();

    const history = recorder.history();
    const result = checkGroupHistory(history, finalLogs);
    const failed = result.violations.length > 0 || !drained;
    const summary = [
      summarizeGroups(history, result),
      ...(drained ? [] : [`drain: the fresh member had not committed every partition's end ${DRAIN_TIMEOUT_MS} ms after it started (seed=${options.seed})`]),
      ...(failed ? ['fault timeline:', ...groupFaultTimeline(history)] : []),
    ].join('\n');
    const keep = options.keepDataDir === true || result.violations.length > 0;
    if (keep) {
      await writeFile(
        join(dataDir, 'history.json'),
        JSON.stringify(history, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)),
      );
      log(`data dir kept, the run's history in ${join(dataDir, 'history.json')}`);
    } else await removeDir(dataDir);
    return { history, result, summary, drained, dataDir: keep ? dataDir : null };
  } catch (error) {
    (error as Error).message = `seed=${options.seed}: ${(error as Error).message}\nlast node log lines:\n${nodeLog.lines.slice(-20).join('\n')}`;
    await Promise.allSettled([...workloads.map((w) => w.stop()), ...members.map((m) => m.stop())]);
    if (!stopped) await cluster.stop().catch(() => {});
    await removeDir(dataDir);
    throw error;
  }
}

async function untilCoordinator(sampler: OffsetSampler): Promise<void> {
  const deadline = Date.now() + COORDINATOR_TIMEOUT_MS;
  while (!(await sampler.sample())) {
    if (Date.now() > deadline) throw new Error(`no broker answered FindCoordinator and OffsetFetch for the group within ${COORDINATOR_TIMEOUT_MS} ms`);
    await sleep(100);
  }
}

/** Waits until the sampler sees every partition committed at (or past) the end of its final log; false after DRAIN_TIMEOUT_MS. */
async function untilCommittedToTheEnd(sampler: OffsetSampler, finalLogs: ReadonlyMap<number, readonly LogRecord[]>): Promise<boolean> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    await sampler.sample();
    const behind = [...finalLogs].filter(([p, records]) => records.length > 0 && (sampler.latest.get(p) ?? -1n) <= records.at(-1)!.offset);
    if (behind.length === 0) return true;
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
}
