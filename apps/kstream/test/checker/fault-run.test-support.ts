// One fault run, start to verdict: a 3-broker node, a topic of 6 partitions
// with replication factor 3 and min.insync.replicas=2, producers (ours or
// kafkajs) writing keyed records with acks=all and consumers fetching, while
// the nemesis injects faults; then everything healed and settled, each
// partition read whole from its leader, the node stopped cleanly, every
// replica read from disk, and the checker's verdict with its summary.
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { makeTempDir, removeDir } from '../../src/cluster.test-support.js';
import { LogCapture } from '../../src/log-capture.test-support.js';
import { startCluster, type Cluster } from '../../src/start-cluster.js';
import { checkHistory, type CheckResult } from './checker.test-support.js';
import type { FinalPartition, FinalState } from './final-state.test-support.js';
import { finalPartition, readServedPartition, type ServedPartition } from './final-state-reader.test-support.js';
import { startFetchConsumers } from './fetch-consumer.test-support.js';
import { HistoryRecorder, type FaultKind, type History } from './history.test-support.js';
import { startKafkajsProducer } from './kafkajs-producer.test-support.js';
import { Nemesis, type FaultControl } from './nemesis.test-support.js';
import { startOwnProducer } from './own-producer.test-support.js';
import { ConnectionPool, LeaderDirectory } from './raw-cluster.test-support.js';
import { describeFault, summarize } from './summary.test-support.js';
import type { Workload } from './workload.test-support.js';

export const FAULT_RUN_BROKERS = [1, 2, 3] as const;
export const FAULT_RUN_PARTITIONS = 6;

export interface FaultRunOptions {
  readonly seed: number;
  readonly faults: number;
  readonly client: 'own' | 'kafkajs';
  readonly producers: number;
  readonly kinds?: readonly FaultKind[];
  /** Broker configs; default FAULT_RUN_BROKER_CONFIG. */
  readonly brokerConfig?: Readonly<Record<string, string>>;
  /** Progress lines (the seed first). */
  readonly log?: (line: string) => void;
  /** Keep the data dir (always kept when the checker finds a violation). */
  readonly keepDataDir?: boolean;
}

export interface FaultRunResult {
  readonly history: History;
  readonly final: FinalState;
  readonly result: CheckResult;
  readonly summary: string;
  /** Partitions whose ISR was not full again when the run stopped waiting for it. */
  readonly unsettled: readonly number[];
  readonly dataDir: string | null;
}

/** Small enough that a fault shows within a run of seconds: a follower leaves the ISR after 2 s behind. */
export const FAULT_RUN_BROKER_CONFIG: Readonly<Record<string, string>> = { 'min.insync.replicas': '2', 'replica.lag.time.max.ms': '2000' };

const PRODUCE_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 4_000;
const SETTLE_TIMEOUT_MS = 20_000;

export async function runFaults(options: FaultRunOptions): Promise<FaultRunResult> {
  const log = options.log ?? (() => {});
  log(`seed=${options.seed} faults=${options.faults} client=${options.client} producers=${options.producers}`);
  const topic = `checked-${options.seed}`;
  const dataDir = await makeTempDir('faults');
  const nodeLog = new LogCapture();
  const cluster = await startFaultNode(dataDir, options.brokerConfig ?? FAULT_RUN_BROKER_CONFIG, nodeLog);
  let stopped = false;
  /** Every client loop started, stopped before the node on any failure so none outlives the run. */
  const workloads: Workload[] = [];
  try {
    const port = (id: number): number => cluster.brokers.find((b) => b.id === id)!.port;
    const history = new HistoryRecorder(options.seed, topic);
    await createTopic(cluster.bootstrap, topic);
    const producerPool = new ConnectionPool(port);
    const consumerPool = new ConnectionPool(port);
    const leaders = new LeaderDirectory(producerPool, FAULT_RUN_BROKERS, topic);
    await settle(leaders, SETTLE_TIMEOUT_MS);
    log(`node started, topic ${topic} ready at ${seconds(history.now())}`);

    const consumers = startFetchConsumers(FAULT_RUN_PARTITIONS, consumerPool, new LeaderDirectory(consumerPool, FAULT_RUN_BROKERS, topic), history, REQUEST_TIMEOUT_MS);
    workloads.push(consumers);
    const producers: Workload[] = [];
    for (let i = 1; i <= options.producers; i++) {
      const name = `${options.client}-${i}`;
      const timeouts = { partitions: FAULT_RUN_PARTITIONS, produceTimeoutMs: PRODUCE_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS };
      producers.push(
        options.client === 'own'
          ? startOwnProducer({ name, ...timeouts }, producerPool, leaders, history)
          : await startKafkajsProducer({ name, bootstrap: cluster.bootstrap, topic, ...timeouts }, history),
      );
    }
    workloads.push(...producers);
    await sleep(1_000);
    const control: FaultControl = cluster.control;
    const nemesis = new Nemesis(control, history, {
      seed: options.seed,
      faults: options.faults,
      brokers: FAULT_RUN_BROKERS,
      ...(options.kinds === undefined ? {} : { kinds: options.kinds }),
    });
    await nemesis.run();
    await control.healAll();
    log(`faults done at ${seconds(history.now())}; healed all`);
    await sleep(1_000);
    await Promise.all(producers.map((p) => p.stop()));
    log(`producers stopped at ${seconds(history.now())}`);
    const unsettled = await settle(leaders, SETTLE_TIMEOUT_MS);
    await consumers.stop();
    log(`settled at ${seconds(history.now())}${unsettled.length === 0 ? '' : `, ISR not full on partitions ${unsettled.join(', ')}`}`);

    const served = new Map<number, ServedPartition>();
    for (let p = 0; p < FAULT_RUN_PARTITIONS; p++) served.set(p, await readServedPartition(producerPool, leaders, p));
    producerPool.close();
    consumerPool.close();
    stopped = true;
    await cluster.stop();
    log(`final logs read and node stopped at ${seconds(history.now())}`);

    const partitions = new Map<number, FinalPartition>();
    for (const [p, s] of served) partitions.set(p, await finalPartition(s, dataDir, topic, p));
    const final: FinalState = { partitions };
    log(`replicas read from disk at ${seconds(history.now())}`);
    const result = checkHistory(history.history(), final);
    const unsettledLines = unsettled.map((p) => {
      const state = served.get(p)!;
      return `  partition ${p}: leader ${state.leader}, replicas [${state.replicas.join(', ')}], isr [${state.isr.join(', ')}]`;
    });
    const failed = result.violations.length > 0 || unsettled.length > 0;
    const summary = [
      summarize(history.history(), result),
      ...(unsettled.length === 0 ? [] : [`ISR not full ${SETTLE_TIMEOUT_MS} ms after healing (seed=${options.seed}):`, ...unsettledLines]),
      ...(failed ? ['fault timeline:', ...history.faults.map((f) => `  ${describeFault(f)}`)] : []),
    ].join('\n');
    const keep = options.keepDataDir === true || result.violations.length > 0;
    if (keep) log(`data dir kept: ${dataDir}`);
    else await removeDir(dataDir);
    return { history: history.history(), final, result, summary, unsettled, dataDir: keep ? dataDir : null };
  } catch (error) {
    (error as Error).message = `seed=${options.seed}: ${(error as Error).message}\nlast node log lines:\n${nodeLog.lines.slice(-20).join('\n')}`;
    await Promise.allSettled(workloads.map((w) => w.stop()));
    if (!stopped) await cluster.stop().catch(() => {});
    await removeDir(dataDir);
    throw error;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A fault run's node: 3 brokers on free ports, fenced 1.5 s after their last heartbeat, restarted within 0.5 s of a crash; `dataDir` is removed if it does not start. */
export async function startFaultNode(dataDir: string, config: Readonly<Record<string, string>>, logger: LogCapture): Promise<Cluster> {
  return startCluster({
    dataDir,
    brokers: FAULT_RUN_BROKERS.length,
    port: 0,
    config,
    sessionTimeoutMs: 1_500,
    heartbeatIntervalMs: 300,
    restartPolicy: { initialDelayMs: 50, maxDelayMs: 500, resetAfterMs: 5_000 },
    logger,
  }).catch(async (error: unknown) => {
    await removeDir(dataDir);
    throw error;
  });
}

export async function createTopic(bootstrap: string, topic: string): Promise<void> {
  const admin = new Kafka({ clientId: 'fault-run', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: FAULT_RUN_PARTITIONS, replicationFactor: FAULT_RUN_BROKERS.length, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
    });
  } finally {
    await admin.disconnect();
  }
}

/** Waits until every partition has a leader and its full replica set in the ISR; returns those that had not after `timeoutMs`. */
export async function settle(leaders: LeaderDirectory, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await leaders.refresh();
    const unsettled = Array.from({ length: FAULT_RUN_PARTITIONS }, (_, p) => p).filter((p) => {
      const state = leaders.partitions.get(p);
      return state === undefined || state.leader < 0 || state.isr.length < state.replicas.length;
    });
    if (unsettled.length === 0 || Date.now() > deadline) return unsettled;
    await sleep(100);
  }
}
