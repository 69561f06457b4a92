// A kafkajs consumer as a member of the checked group: kafkajs's own
// assignor and rebalancing, autoCommit off, and after each batch is
// processed (every record recorded as delivered, in the generation the
// member was in when the batch began) a commit of the offset after its last
// record. A stale batch (its partition revoked meanwhile) is left
// unprocessed, as an application would. Its traffic passes through a
// GroupWireTap, which records what the coordinator answered it.
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import type { GroupHistoryRecorder } from './group-history.test-support.js';
import { GroupWireTap } from './group-wire-tap.test-support.js';

export interface GroupMemberOptions {
  readonly name: string;
  readonly bootstrap: string;
  readonly group: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly requestTimeoutMs: number;
}

/** How long a member killed without leaving is given to wind down its kafkajs loops at the end of the run. */
const WIND_DOWN_MS = 10_000;

export class GroupMember {
  #killed = false;
  #windingDown: Promise<void> | null = null;

  private constructor(
    readonly name: string,
    private readonly consumer: Consumer,
    private readonly tap: GroupWireTap,
  ) {}

  static async start(options: GroupMemberOptions, recorder: GroupHistoryRecorder): Promise<GroupMember> {
    const tap = new GroupWireTap(options.name, recorder);
    const kafka = new Kafka({
      clientId: options.name,
      brokers: options.bootstrap.split(','),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_000,
      requestTimeout: options.requestTimeoutMs,
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1_000 },
      socketFactory: tap.socketFactory,
    });
    const consumer = kafka.consumer({
      groupId: options.group,
      sessionTimeout: options.sessionTimeoutMs,
      rebalanceTimeout: options.rebalanceTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      maxWaitTimeInMs: 200,
      allowAutoTopicCreation: false,
    });
    const member = new GroupMember(options.name, consumer, tap);
    await consumer.connect();
    await consumer.subscribe({ topic: recorder.base.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, isStale, isRunning }) => {
        const view = tap.member;
        if (view === null || batch.messages.length === 0) return;
        let next: bigint | null = null;
        for (const m of batch.messages) {
          if (member.#killed || isStale() || !isRunning()) break;
          const offset = BigInt(m.offset);
          recorder.deliveries.push({
            consumer: options.name,
            memberId: view.memberId,
            generation: view.generation,
            partition: batch.partition,
            offset,
            value: m.value?.toString() ?? '',
            at: recorder.now(),
          });
          next = offset + 1n;
        }
        if (next === null || member.#killed) return;
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(next) }]).catch(() => {});
      },
    });
    return member;
  }

  /** Dies without leaving: its sockets destroyed, no LeaveGroup; the coordinator learns of it only when its session times out. */
  kill(): void {
    this.#killed = true;
    this.tap.kill();
    this.#windingDown = this.consumer.disconnect().catch(() => {});
  }

  /** Leaves the group cleanly (LeaveGroup), or, if killed, waits a bounded time for its kafkajs loops to end. */
  async stop(): Promise<void> {
    if (this.#windingDown === null) {
      await this.consumer.disconnect();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#windingDown, new Promise<void>((resolve) => (timer = setTimeout(resolve, WIND_DOWN_MS)))]);
    clearTimeout(timer);
  }
}
