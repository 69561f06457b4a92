// The restarting half of a scale round, in a fresh process: a 3-broker node
// started on the data dir the creating half stopped, timed from the
// startCluster call to ready, to one acknowledged record (acks=all), and to
// one record in each of a spread of other partitions, sent once the first is
// acknowledged. Around it: /proc/self/io, open descriptors, and which files
// of the data dir changed. A step that fails ends the measuring; the figures
// before it are kept.
import { basename, dirname } from 'node:path';
import { type ClientLogger, Producer } from '@kstream/client';
import { type Cluster, startCluster } from '@kstream/kstream';
import { countingNodeLog } from '../bench-cli.js';
import { changedFiles, snapshotFiles } from './data-dir-files.js';
import { errorMessage, stopNode } from './failures.js';
import { BROKERS, type RestartFileChanges, type RestartJob, type RestartResult, TOPIC_PREFIX, topicName } from './messages.js';
import { FdPeak, type IoCounters, ioDelta, openFilesSoftLimit, readIoCounters } from './proc-self.js';

/** startCluster's metricsPort for no metrics endpoint. */
const NO_METRICS = -1;
/** A partition's directory, `<topic>-<partition>` as in Kafka, for one of the benchmark's topics. */
const PARTITION_DIR = new RegExp(`^${TOPIC_PREFIX}\\d+-\\d+$`);
/** A segment file's base offset, the 20 digits that start its name. */
const BASE_OFFSET = /^\d{20}/;
/** A record not acknowledged this long fails (Kafka's default, 120 s, would hold a broken node's round for minutes). */
const DELIVERY_TIMEOUT_MS = 60_000;

interface TopicPartition {
  topic: string;
  partition: number;
}

type Measured = Omit<RestartResult, 'kind' | 'failure' | 'fdPeak' | 'fdSoftLimit' | 'stop' | 'log'>;

function partitionDir({ topic, partition }: TopicPartition): string {
  return `${topic}-${partition}`;
}

/** `count` partitions evenly spaced over all of them, never the last one (the first produce's). */
function spreadPartitions(job: RestartJob): TopicPartition[] {
  const total = job.topics * job.partitionsPerTopic;
  if (total < 2 * job.spreadPartitions) throw new Error(`${total} partitions are too few to spread ${job.spreadPartitions} produces over`);
  return Array.from({ length: job.spreadPartitions }, (_, k) => {
    const global = Math.floor((k * total) / job.spreadPartitions);
    return { topic: topicName(Math.floor(global / job.partitionsPerTopic)), partition: global % job.partitionsPerTopic };
  });
}

/** Changed files split into partition directories not produced to (and their files by kind), and files outside any partition directory. */
function unexpectedChanges(changed: readonly string[], producedTo: ReadonlySet<string>): RestartFileChanges {
  const partitionDirs = new Set<string>();
  const partitionFiles: Record<string, number> = {};
  const otherFiles: string[] = [];
  for (const path of changed) {
    const dir = basename(dirname(path));
    if (!PARTITION_DIR.test(dir)) otherFiles.push(path);
    else if (!producedTo.has(dir)) {
      partitionDirs.add(dirname(path));
      const kind = basename(path).replace(BASE_OFFSET, '*');
      partitionFiles[kind] = (partitionFiles[kind] ?? 0) + 1;
    }
  }
  return { partitionDirs: [...partitionDirs].sort(), partitionFiles, otherFiles };
}

/** Runs `step`, or records why it failed and returns undefined. */
async function step<T>(name: string, failures: string[], run: () => Promise<T> | T): Promise<T | undefined> {
  if (failures.length > 0) return undefined;
  try {
    return await run();
  } catch (error) {
    failures.push(`${name}: ${errorMessage(error)}`);
    return undefined;
  }
}

interface Restarting {
  readonly job: RestartJob;
  readonly node: Cluster;
  /** performance.now() and /proc/self/io just before the startCluster call. */
  readonly starting: number;
  readonly ioBefore: IoCounters;
  readonly logger: ClientLogger;
  readonly failures: string[];
  readonly measured: { -readonly [F in keyof Measured]: Measured[F] };
}

/** The first produce, then the spread; returns the directories of every partition produced to. */
async function produceAfterStart({ job, node, starting, ioBefore, logger, failures, measured }: Restarting): Promise<Set<string>> {
  const first: TopicPartition = { topic: topicName(job.topics - 1), partition: job.partitionsPerTopic - 1 };
  const spread = spreadPartitions(job);
  const value = Buffer.from('after restart');
  const producer = new Producer({
    bootstrap: node.bootstrap,
    clientId: 'bench-scale',
    acks: 'all',
    deliveryTimeoutMs: DELIVERY_TIMEOUT_MS,
    logger,
  });
  try {
    await step(`the first produce, to ${first.topic} partition ${first.partition}`, failures, async () => {
      await producer.send({ ...first, value });
      measured.firstAckMs = performance.now() - starting;
      measured.io = ioDelta(ioBefore, readIoCounters());
    });
    await step(`the produces to ${spread.length} partitions`, failures, async () => {
      const latencies = await Promise.all(
        spread.map(async (target) => {
          const sent = performance.now();
          await producer.send({ ...target, value });
          return performance.now() - sent;
        }),
      );
      measured.spread = { allAckedMs: performance.now() - starting, maxLatencyMs: Math.max(...latencies) };
    });
  } finally {
    await producer.close({ timeoutMs: DELIVERY_TIMEOUT_MS });
  }
  return new Set([first, ...spread].map(partitionDir));
}

export async function restartRound(job: RestartJob): Promise<RestartResult> {
  const nodeLog = countingNodeLog();
  // Read first: at the limit, /proc/self/limits could not be opened.
  const fdSoftLimit = openFilesSoftLimit();
  const filesBefore = snapshotFiles(job.dataDir);
  const failures: string[] = [];
  const measured: Restarting['measured'] = {};

  const fds = new FdPeak();
  const ioBefore = readIoCounters();
  const starting = performance.now();
  const node = await step('startCluster', failures, () => startCluster({ dataDir: job.dataDir, port: 0, brokers: BROKERS, metricsPort: NO_METRICS, logger: nodeLog.logger }));
  if (node === undefined) return { kind: 'restart', failure: failures[0]!, fdPeak: fds.stop(), fdSoftLimit, log: nodeLog.summary() };
  measured.readyMs = performance.now() - starting;
  const logger = { debug() {}, ...nodeLog.logger };
  const producedTo = await produceAfterStart({ job, node, starting, ioBefore, logger, failures, measured }).catch((error: unknown) => {
    failures.push(`the producer: ${errorMessage(error)}`);
    return new Set<string>();
  });
  const fdPeak = fds.stop();
  await step("comparing the data dir's files", failures, () => {
    measured.files = unexpectedChanges(changedFiles(filesBefore, snapshotFiles(job.dataDir)), producedTo);
  });
  const stop = await stopNode(node);
  return { kind: 'restart', failure: failures[0] ?? null, ...measured, fdPeak, fdSoftLimit, stop, log: nodeLog.summary() };
}
