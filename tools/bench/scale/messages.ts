// What the scale benchmark's processes send each other over IPC: main.ts gives
// a node child one job (create, or restart), the create child gives a load
// child the request job; each answers one result (client/child.ts's
// runInChild carries them).
import type { NodeHeapUsage } from '@kstream/kstream';
import type { IoCounters } from './proc-self.js';

/** Topic `${TOPIC_PREFIX}${i}`, i from 0. */
export const TOPIC_PREFIX = 'scale-';
export const BROKERS = 3;

export interface Layout {
  readonly topics: number;
  readonly partitionsPerTopic: number;
}

/**
 * Start a node on an empty `dataDir`, create the topics `topicsPerCall` a
 * createTopics call, measure memory and descriptors around it, run the
 * request load against it, stop it.
 */
export interface CreateJob extends Layout {
  readonly kind: 'create';
  readonly client: 'kstream';
  readonly dataDir: string;
  readonly topicsPerCall: number;
  readonly settleMs: number;
  /** How long the idle node's CPU is measured, before creating and after. */
  readonly idleMs: number;
  readonly load: Omit<RequestLoadJob, 'kind' | 'client' | 'bootstrap' | 'topics'>;
}

/** How a node's stop() went: its time, and its error (a rejection, or no end within the bound). */
export interface StopOutcome {
  readonly ms: number;
  readonly error: string | null;
}

export interface CreateResult {
  readonly kind: 'create';
  /** The node's default.replication.factor (broker 1's), and the one the topics were created with. */
  readonly defaultReplicationFactor: number;
  readonly replicationFactor: number;
  /** Each createTopics call answered, in order. */
  readonly callMs: readonly number[];
  /** The call that failed and its error, after which no other was made; null when every topic was created. */
  readonly creationFailure: string | null;
  /** From the first call to the last one's answer (or failure). */
  readonly totalMs: number;
  /** From the first call until every broker had opened the logs of all the replicas created (DescribeLogDirs), or why that was not seen; null when creation failed. */
  readonly logsOpenMs: number | string | null;
  /** RSS of the node's process, or why it could not be read. */
  readonly rssBefore: number | string;
  readonly rssAfter: number | string;
  /** Each thread's V8 heap, read just before the RSS (after a collection of each, with gc exposed), or why the node did not give it. */
  readonly heapBefore: NodeHeapUsage | string;
  readonly heapAfter: NodeHeapUsage | string;
  /** CPU-seconds a second the node's process (every thread) spent idle for `idleMs` before creating, and after the memory was sampled (null when creation failed). */
  readonly idleCoresBefore: number;
  readonly idleCoresAfter: number | null;
  readonly gcExposed: boolean;
  readonly fdPeakCreating: number;
  /** null when the load was not run. */
  readonly fdPeakLoad: number | null;
  readonly fdSoftLimit: number;
  /** The request load's figures, or why it could not be measured. */
  readonly load: RequestLoadResult | string;
  readonly stop: StopOutcome;
  readonly log: string;
}

/** Start a node on `dataDir` (stopped with the topics in it), produce to it, stop it. */
export interface RestartJob extends Layout {
  readonly kind: 'restart';
  readonly client: 'kstream';
  readonly dataDir: string;
  /** Partitions produced to right after the first produce, each once. */
  readonly spreadPartitions: number;
}

/** Which files of the data dir the restart changed, from before startCluster to the last ack. */
export interface RestartFileChanges {
  /** Partition directories, other than those produced to, with a file created, modified or removed. */
  readonly partitionDirs: readonly string[];
  /** The changed files in those directories by name, a segment's base offset left out (`*.index`): what the start wrote. */
  readonly partitionFiles: Readonly<Record<string, number>>;
  /** Files outside partition directories created, modified or removed. */
  readonly otherFiles: readonly string[];
}

/** Every step's figures, or those of the steps before the one that failed. */
export interface RestartResult {
  readonly kind: 'restart';
  /** The step that failed and its error; null when none did. */
  readonly failure: string | null;
  /** From the startCluster call. */
  readonly readyMs?: number;
  readonly firstAckMs?: number;
  /** /proc/self/io from just before startCluster to the first ack. */
  readonly io?: IoCounters;
  /** The spread produces: from the startCluster call to the last ack, and the slowest from its send() to its ack. */
  readonly spread?: { readonly allAckedMs: number; readonly maxLatencyMs: number };
  readonly files?: RestartFileChanges;
  readonly fdPeak: number;
  readonly fdSoftLimit: number;
  /** Absent when the node did not start. */
  readonly stop?: StopOutcome;
  readonly log: string;
}

/**
 * Open `connections` connections over the brokers of `bootstrap`, then from
 * each, in a closed loop for `seconds`: ApiVersions, then Metadata for one of
 * the `topics` (connection i asks for topic i mod topics).
 */
export interface RequestLoadJob {
  readonly kind: 'requests';
  readonly client: 'kstream';
  readonly bootstrap: string;
  readonly topics: number;
  readonly connections: number;
  readonly seconds: number;
}

export interface RequestRate {
  /** Connections open when the window began (after an unmeasured request on each). */
  readonly connections: number;
  /** Good answers received within the window (an error code or a late answer is not counted). */
  readonly responses: number;
  readonly errorResponses: number;
  readonly seconds: number;
  /** Connections that failed during the window (a request timed out or the socket closed). */
  readonly failedConnections: number;
  /** CPU of the load process during the window, in cores (1 = one core busy all the time). */
  readonly loadCpuCores: number;
}

export interface RequestLoadResult {
  readonly kind: 'requests';
  readonly connectMs: number;
  readonly apiVersions: RequestRate;
  readonly metadata: RequestRate;
}

export function topicName(index: number): string {
  return `${TOPIC_PREFIX}${index}`;
}
