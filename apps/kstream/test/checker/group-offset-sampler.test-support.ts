// The group's committed offsets as an outsider sees them: FindCoordinator,
// then OffsetFetch of every partition from the coordinator it names, every
// few hundred milliseconds, each answer recorded with when it was asked and
// answered. The checker holds these samples to the commits the members saw
// acknowledged; the run also asks it where the coordinator is (for the
// nemesis) and whether the group has committed up to the end of the log.
import { setTimeout as sleep } from 'node:timers/promises';
import { FindCoordinator, OffsetFetch } from '@kstream/protocol';
import type { GroupHistoryRecorder } from './group-history.test-support.js';
import { within, type ConnectionPool } from './raw-cluster.test-support.js';
import type { Workload } from './workload.test-support.js';

const FIND_COORDINATOR_VERSION = 3;
const OFFSET_FETCH_VERSION = 7;
const SAMPLE_EVERY_MS = 250;

export class OffsetSampler implements Workload {
  #stopped = false;
  #loop: Promise<void> | null = null;
  #next = 0;
  /** The last committed offset of each partition answered, -1 for none. */
  readonly latest = new Map<number, bigint>();

  constructor(
    private readonly pool: ConnectionPool,
    private readonly brokers: readonly number[],
    private readonly recorder: GroupHistoryRecorder,
    private readonly partitions: number,
    private readonly timeoutMs: number,
  ) {}

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }

  /** The coordinator's broker id as the next broker that answers FindCoordinator NONE says; undefined when none does. */
  async coordinator(): Promise<number | undefined> {
    for (let tries = 0; tries < this.brokers.length; tries++) {
      const broker = this.brokers[this.#next++ % this.brokers.length]!;
      try {
        const conn = await this.pool.get(broker);
        const answer = await within(
          conn.request(FindCoordinator, FIND_COORDINATOR_VERSION, { key: this.recorder.group, keyType: 0 }),
          this.timeoutMs,
          `FindCoordinator from broker ${broker}`,
        );
        if (answer.errorCode === 0) return answer.nodeId;
      } catch {
        this.pool.drop(broker);
      }
    }
    return undefined;
  }

  /** One OffsetFetch of every partition from the coordinator; resolves false when no coordinator answered NONE. */
  async sample(): Promise<boolean> {
    const coordinator = await this.coordinator();
    if (coordinator === undefined) return false;
    const invokedAt = this.recorder.now();
    try {
      const conn = await this.pool.get(coordinator);
      const answer = await within(
        conn.request(OffsetFetch, OFFSET_FETCH_VERSION, {
          groupId: this.recorder.group,
          topics: [{ name: this.recorder.base.topic, partitionIndexes: Array.from({ length: this.partitions }, (_, p) => p) }],
          requireStable: false,
        }),
        this.timeoutMs,
        `OffsetFetch from broker ${coordinator}`,
      );
      if (answer.errorCode !== 0) return false;
      const completedAt = this.recorder.now();
      for (const p of answer.topics.flatMap((t) => t.partitions)) {
        if (p.errorCode !== 0) continue;
        this.recorder.offsetSamples.push({ source: 'sampler', partition: p.partitionIndex, offset: p.committedOffset, invokedAt, completedAt });
        this.latest.set(p.partitionIndex, p.committedOffset);
      }
      return true;
    } catch {
      this.pool.drop(coordinator);
      return false;
    }
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      await this.sample();
      await sleep(SAMPLE_EVERY_MS);
    }
  }
}
