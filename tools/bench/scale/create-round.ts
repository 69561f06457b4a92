// The creating half of a scale round, in a fresh process that holds the node:
// a 3-broker node on an empty data dir, the topics created through
// @kstream/client's Admin a batch of topics a call (until one fails), the
// process's RSS and every thread's heap around it, its open descriptors, the
// request load from a child of its own, stop().
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Admin, type ClientLogger, ClusterClient, type NewTopic } from '@kstream/client';
import { DescribeLogDirs, ErrorCode } from '@kstream/protocol';
import { type Cluster, type NodeHeapUsage, startCluster } from '@kstream/kstream';
import { countingNodeLog } from '../bench-cli.js';
import { runInChild, THIS_NODE } from '../client/child.js';
import { errorMessage, stopNode } from './failures.js';
import { BROKERS, type CreateJob, type CreateResult, type RequestLoadResult, TOPIC_PREFIX, topicName } from './messages.js';
import { cpuMeter } from './cpu-meter.js';
import { FdPeak, openFileCount, openFilesSoftLimit } from './proc-self.js';

const LOAD_WORKER = fileURLToPath(new URL('./request-load.ts', import.meta.url));
const CALL_TIMEOUT_MS = 120_000;
/** The load child: its start, 1,000 connections, two windows. */
const LOAD_SETUP_MS = 60_000;
/** startCluster's metricsPort for no metrics endpoint. */
const NO_METRICS = -1;

/** The node's memory, settled: every thread's V8 heap and then the process's RSS. */
interface SettledMemory {
  /** RSS of this process, every thread's memory, or why it could not be read (Node reads it from /proc/self/stat, which needs a free descriptor). */
  readonly rss: number | string;
  /** Each thread's heap (the control API's heapUsage), or why the node did not give it. */
  readonly heap: NodeHeapUsage | string;
}

/**
 * The node's memory after `settleMs` and (with --expose-gc) a full collection
 * of every thread's heap, each broker's included: without one, a broker's
 * heap holds whatever garbage its thread made since its last collection.
 */
async function settledMemory(node: Cluster, settleMs: number): Promise<SettledMemory> {
  await sleep(settleMs);
  const heap = await node.control.heapUsage({ collectGarbage: true }).catch(errorMessage);
  try {
    return { rss: process.memoryUsage.rss(), heap };
  } catch (error) {
    return { rss: `RSS unreadable: ${errorMessage(error)}`, heap };
  }
}

/** The process's CPU time (every thread's, the thread pool's included) over `windowMs` of nothing asked of the node, per second: what the idle node costs in cores. */
async function idleCores(windowMs: number): Promise<number> {
  const cores = cpuMeter();
  await sleep(windowMs);
  return cores();
}

/** How long the brokers may take to open the created partitions' logs after the last createTopics answer. */
const LOGS_OPEN_TIMEOUT_MS = 120_000;
const LOGS_OPEN_POLL_MS = 100;

/** The replicas of the benchmark's topics whose logs are open, over every broker: each lists the partitions it hosts in DescribeLogDirs. */
async function openReplicas(client: ClusterClient): Promise<number> {
  let open = 0;
  for (const id of client.metadata.brokers.keys()) {
    const broker = await client.broker(id);
    const { results } = await broker.request(DescribeLogDirs, { topics: null });
    for (const dir of results) {
      if (dir.errorCode !== ErrorCode.NONE) throw new Error(`broker ${id} answered DescribeLogDirs for ${dir.logDir} with error ${dir.errorCode}`);
      for (const topic of dir.topics) if (topic.name.startsWith(TOPIC_PREFIX)) open += topic.partitions.length;
    }
  }
  return open;
}

/**
 * Waits until every broker has opened the logs of all `replicas` created
 * (the controller answers CreateTopics once the metadata is committed; each
 * broker then opens its logs on its own), so that memory is sampled with the
 * partitions idle, not opening; resolves when that was (performance.now()),
 * or why it did not happen.
 */
async function whenLogsOpen(node: Cluster, replicas: number, logger: ClientLogger): Promise<number | string> {
  const client = new ClusterClient({ bootstrap: node.bootstrap, clientId: 'bench-scale-logs', logger });
  const deadline = performance.now() + LOGS_OPEN_TIMEOUT_MS;
  let open = 0;
  try {
    await client.connect();
    while ((open = await openReplicas(client)) < replicas) {
      if (performance.now() > deadline) return `after ${LOGS_OPEN_TIMEOUT_MS / 1000} s, ${open} of ${replicas} replicas' logs were open`;
      await sleep(LOGS_OPEN_POLL_MS);
    }
    return performance.now();
  } catch (error) {
    return `DescribeLogDirs failed with ${open} of ${replicas} replicas' logs open: ${errorMessage(error)}`;
  } finally {
    await client.close();
  }
}

async function defaultReplicationFactor(admin: Admin): Promise<number> {
  const [broker] = await admin.describeConfigs([{ type: 'broker', name: '1', configNames: ['default.replication.factor'] }]);
  const value = broker?.configs.find((c) => c.name === 'default.replication.factor')?.value;
  const factor = Number(value);
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`broker 1 describes default.replication.factor as ${JSON.stringify(value)}`);
  return factor;
}

async function createTopics(node: Cluster, job: CreateJob, logger: ClientLogger) {
  const admin = new Admin({ bootstrap: node.bootstrap, clientId: 'bench-scale', logger });
  try {
    const defaultFactor = await defaultReplicationFactor(admin);
    // A factor of 1 leaves nothing to replicate; a 3-broker node's topics then get one replica on each broker.
    const replicationFactor = defaultFactor > 1 ? defaultFactor : BROKERS;
    const before = await settledMemory(node, job.settleMs);
    const idleCoresBefore = await idleCores(job.idleMs);
    const fds = new FdPeak();
    const callMs: number[] = [];
    const calls = Math.ceil(job.topics / job.topicsPerCall);
    let creationFailure: string | null = null;
    const first = performance.now();
    for (let call = 0; call < calls && creationFailure === null; call++) {
      const topics: NewTopic[] = [];
      for (let i = call * job.topicsPerCall; i < Math.min((call + 1) * job.topicsPerCall, job.topics); i++) {
        topics.push({ topic: topicName(i), numPartitions: job.partitionsPerTopic, replicationFactor });
      }
      const started = performance.now();
      try {
        await admin.createTopics(topics, { timeoutMs: CALL_TIMEOUT_MS });
        callMs.push(performance.now() - started);
      } catch (error) {
        creationFailure = `createTopics call ${call + 1} of ${calls} (${topics[0]!.topic} to ${topics.at(-1)!.topic}) failed after ${Math.round(performance.now() - started)} ms: ${errorMessage(error)}`;
      }
    }
    const totalMs = performance.now() - first;
    const logsOpen = creationFailure === null ? await whenLogsOpen(node, job.topics * job.partitionsPerTopic * replicationFactor, logger) : null;
    const logsOpenMs = typeof logsOpen === 'number' ? logsOpen - first : logsOpen;
    const after = await settledMemory(node, job.settleMs);
    const idleCoresAfter = creationFailure === null ? await idleCores(job.idleMs) : null;
    const fdPeakCreating = fds.stop();
    return {
      defaultReplicationFactor: defaultFactor,
      replicationFactor,
      callMs,
      creationFailure,
      totalMs,
      logsOpenMs,
      rssBefore: before.rss,
      rssAfter: after.rss,
      heapBefore: before.heap,
      heapAfter: after.heap,
      idleCoresBefore,
      idleCoresAfter,
      fdPeakCreating,
    };
  } finally {
    await admin.close();
  }
}

/** Descriptors the node's process keeps free beyond one a client: its own files, the load child's pipes. */
const FD_HEADROOM = 100;

/** Why the load would not measure the node's requests, if it would not. */
function loadPrecondition(creationFailure: string | null, fdSoftLimit: number, clients: number): string | undefined {
  if (creationFailure !== null) return 'not run: the topics were not all created';
  let open: number;
  try {
    open = openFileCount();
  } catch (error) {
    return `not run: the node's process cannot open a file (${errorMessage(error)})`;
  }
  if (open + clients + FD_HEADROOM > fdSoftLimit) {
    return `not run: the node's process has ${open} descriptors open, so ${clients} more connections would pass its limit of ${fdSoftLimit}`;
  }
  return undefined;
}

/** The load's figures, or why there are none: a node that fails 1,000 clients is a finding, not a crash of the benchmark. */
async function requestLoad(node: Cluster, job: CreateJob, why: string | undefined): Promise<{ load: RequestLoadResult | string; fdPeakLoad: number | null }> {
  if (why !== undefined) return { load: why, fdPeakLoad: null };
  const fds = new FdPeak();
  const loadJob = { kind: 'requests', client: 'kstream', bootstrap: node.bootstrap, topics: job.topics, ...job.load } as const;
  try {
    const load = await runInChild<RequestLoadResult>(loadJob, { node: THIS_NODE, timeoutMs: LOAD_SETUP_MS + 2 * job.load.seconds * 1000, worker: LOAD_WORKER });
    return { load, fdPeakLoad: fds.stop() };
  } catch (error) {
    return { load: errorMessage(error), fdPeakLoad: fds.stop() };
  }
}

export async function createRound(job: CreateJob): Promise<CreateResult> {
  const nodeLog = countingNodeLog();
  // Read first: at the limit, /proc/self/limits could not be opened.
  const fdSoftLimit = openFilesSoftLimit();
  const node = await startCluster({ dataDir: job.dataDir, port: 0, brokers: BROKERS, metricsPort: NO_METRICS, logger: nodeLog.logger });
  let measured: Omit<CreateResult, 'kind' | 'stop' | 'log'>;
  try {
    const created = await createTopics(node, job, { debug() {}, ...nodeLog.logger });
    const { load, fdPeakLoad } = await requestLoad(node, job, loadPrecondition(created.creationFailure, fdSoftLimit, job.load.connections));
    measured = { ...created, gcExposed: typeof globalThis.gc === 'function', fdPeakLoad, fdSoftLimit, load };
  } catch (error) {
    await stopNode(node);
    throw error;
  }
  const stop = await stopNode(node);
  return { kind: 'create', ...measured, stop, log: nodeLog.summary() };
}
