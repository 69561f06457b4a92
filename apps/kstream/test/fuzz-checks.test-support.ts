// What must hold between bursts of fuzzed requests, and at the end: every
// broker thread up and never restarted, the control API answering within its
// bound, the node's memory within its bounds, every broker answering a fresh
// Metadata request with the whole cluster, and a record produced to the probe
// topic read back (at the end, every record ever acknowledged).
import { Metadata, ZERO_UUID } from '@kstream/protocol';
import type { FuzzNode, NodeHealth } from './fuzz-node.test-support.js';
import { PROBE_TOPIC } from './fuzz-probe.test-support.js';
import type { ProbeTopic } from './fuzz-probe.test-support.js';
import { errorName, RawConnection } from './raw-connection.test-support.js';

export interface HealthLimits {
  /** How long the control API may take to answer describe. */
  readonly controlTimeoutMs: number;
  /** The node's main thread (the controller's) heap. */
  readonly heapLimitBytes: number;
  /** The node process's resident memory, all threads. */
  readonly rssLimitBytes: number;
}

/** The worst figures the checks saw, for the run's summary. */
export interface HealthFigures {
  checks: number;
  maxHeapUsedBytes: number;
  maxRssBytes: number;
  maxLoopDelayMs: number;
  maxDescribeMs: number;
}

export class HealthChecks {
  readonly figures: HealthFigures = { checks: 0, maxHeapUsedBytes: 0, maxRssBytes: 0, maxLoopDelayMs: 0, maxDescribeMs: 0 };
  #probes = 0;

  constructor(
    private readonly node: FuzzNode,
    private readonly probe: ProbeTopic,
    private readonly limits: HealthLimits,
  ) {}

  /** Runs every check; throws the first problem found. */
  async check(final = false): Promise<void> {
    this.figures.checks++;
    this.#checkHealth(await this.#describe());
    for (const { id, port } of this.node.brokers) await checkMetadata(id, port);
    await this.probe.produceAndFetch(`probe-${++this.#probes}`);
    if (final) await this.probe.verifyAll();
  }

  async #describe(): Promise<NodeHealth> {
    const started = performance.now();
    const health = await this.node.describe(this.limits.controlTimeoutMs);
    this.figures.maxDescribeMs = Math.max(this.figures.maxDescribeMs, performance.now() - started);
    return health;
  }

  #checkHealth(health: NodeHealth): void {
    const f = this.figures;
    f.maxHeapUsedBytes = Math.max(f.maxHeapUsedBytes, health.heapUsedBytes);
    f.maxRssBytes = Math.max(f.maxRssBytes, health.rssBytes);
    f.maxLoopDelayMs = Math.max(f.maxLoopDelayMs, health.loopDelayMaxMs);
    for (const b of health.node.brokers) {
      if (b.state !== 'running' || !b.alive || b.restarts !== 0 || b.lastCrash !== null) {
        throw new Error(`broker ${b.id} is not healthy: state ${b.state}, alive ${b.alive}, restarts ${b.restarts}, last crash ${JSON.stringify(b.lastCrash)}`);
      }
    }
    if (health.heapUsedBytes > this.limits.heapLimitBytes) {
      throw new Error(`the node's main thread (the controller's) uses ${mib(health.heapUsedBytes)} of heap, above the bound of ${mib(this.limits.heapLimitBytes)}`);
    }
    if (health.rssBytes > this.limits.rssLimitBytes) {
      throw new Error(`the node process's resident memory is ${mib(health.rssBytes)}, above the bound of ${mib(this.limits.rssLimitBytes)}`);
    }
  }
}

/** A fresh connection's Metadata v12 lists all three brokers and the probe topic's leader. */
async function checkMetadata(brokerId: number, port: number): Promise<void> {
  const conn = await RawConnection.open(port);
  try {
    const response = await conn.request(Metadata, 12, {
      topics: [{ topicId: ZERO_UUID, name: PROBE_TOPIC }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    const brokers = response.brokers.map((b) => b.nodeId).sort();
    if (brokers.join() !== '1,2,3') throw new Error(`Metadata on broker ${brokerId} lists brokers [${brokers}], not [1,2,3]`);
    const topic = response.topics[0];
    if (topic === undefined || topic.errorCode !== 0 || topic.partitions[0]?.leaderId === undefined || topic.partitions[0].leaderId < 0) {
      throw new Error(
        `Metadata on broker ${brokerId} for ${PROBE_TOPIC}: ${topic === undefined ? 'no topic' : `${errorName(topic.errorCode)}, partitions ${JSON.stringify(topic.partitions)}`}`,
      );
    }
  } finally {
    conn.close();
  }
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}
