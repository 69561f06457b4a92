// A protocol-level producer for the failover figure: one acks=all Produce at a
// time to one partition's leader, without a client library's backoff between
// it and the broker. On NOT_LEADER_OR_FOLLOWER it follows the response's
// current leader (KIP-951, Produce v10+) when the broker names one; on any
// other error or a lost connection it waits RETRY_BACKOFF_MS and asks
// Metadata, the broker it lost last. So a failover is timed as the brokers and
// the controller make it, plus at most one backoff and one Metadata round trip.
import { encodeRecordBatch, errorInfo, ErrorCode, Produce, type ResponseOf } from '@kstream/protocol';
import type { ClusterClient } from './cluster-client.js';

const PRODUCE_VERSION = 11;
/** The broker's wait for the ISR (Produce timeoutMs), and the connection's wait for the answer a little longer. */
const PRODUCE_TIMEOUT_MS = 10_000;
const RESPONSE_TIMEOUT_MS = PRODUCE_TIMEOUT_MS + 2_000;
export const RETRY_BACKOFF_MS = 10;
const VALUE_BYTES = 100;

export interface Ack {
  /** performance.now() when the acknowledgement arrived. */
  readonly at: number;
  readonly brokerId: number;
  readonly offset: bigint;
}

interface AckWaiter {
  readonly test: (ack: Ack) => boolean;
  readonly resolve: (ack: Ack) => void;
}

export class AcksAllProducer {
  /** Failed attempts by cause (an error name, or "connection" for a lost or refused connection). */
  readonly failures = new Map<string, number>();
  acks = 0;
  #leaderId = -1;
  #running = false;
  #loop: Promise<void> | undefined;
  #waiters: AckWaiter[] = [];
  #sequence = 0;

  constructor(
    private readonly client: ClusterClient,
    private readonly topic: string,
    private readonly partition: number,
  ) {}

  /** Starts producing; runs until stop(). */
  start(): void {
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  /** Resolves with the first acknowledgement from now on that passes `test`; rejects after `timeoutMs`, naming `what` and the failures so far. */
  nextAck(what: string, timeoutMs: number, test: (ack: Ack) => boolean = () => true): Promise<Ack> {
    return new Promise((resolve, reject) => {
      const waiter: AckWaiter = {
        test,
        resolve: (ack) => {
          clearTimeout(timer);
          resolve(ack);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.topic}-${this.partition}: no acks=all acknowledgement ${what} within ${timeoutMs} ms; failed attempts: ${this.failureSummary()}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** The failed attempts by cause, e.g. "connection x3, NOT_LEADER_OR_FOLLOWER x1". */
  failureSummary(): string {
    return [...this.failures].map(([cause, count]) => `${cause} x${count}`).join(', ') || 'none';
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const lost = this.#leaderId;
      if (lost < 0 || !(await this.#produceOnce())) {
        await new Promise((resolve) => setTimeout(resolve, RETRY_BACKOFF_MS));
        this.#leaderId = await this.client.partition(this.topic, this.partition, lost).then(
          (view) => view.leaderId,
          () => -1,
        );
      }
    }
  }

  /** One Produce to the leader it knows; true if acknowledged or redirected by KIP-951, false to back off and ask Metadata. */
  async #produceOnce(): Promise<boolean> {
    const leaderId = this.#leaderId;
    const value = Buffer.alloc(VALUE_BYTES, 0x61);
    value.write(String(this.#sequence++).padStart(12, '0'), 'latin1');
    const records = await encodeRecordBatch({ records: [{ key: null, value }] });
    let answer: ResponseOf<typeof Produce>['responses'][number]['partitionResponses'][number] | undefined;
    try {
      const connection = await this.client.connection(leaderId);
      const response = await connection.request(
        Produce,
        PRODUCE_VERSION,
        { transactionalId: null, acks: -1, timeoutMs: PRODUCE_TIMEOUT_MS, topicData: [{ name: this.topic, partitionData: [{ index: this.partition, records }] }] },
        RESPONSE_TIMEOUT_MS,
      );
      answer = response.responses[0]?.partitionResponses[0];
      if (answer === undefined) throw new Error(`Produce to ${this.topic}-${this.partition} on broker ${leaderId}: no answer for the partition`);
    } catch {
      this.#count('connection');
      return false;
    }
    if (answer.errorCode === ErrorCode.NONE) {
      this.#acknowledged({ at: performance.now(), brokerId: leaderId, offset: answer.baseOffset });
      return true;
    }
    this.#count(errorInfo(answer.errorCode).name);
    const named = answer.currentLeader?.leaderId ?? -1;
    if (answer.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER && named >= 0 && named !== leaderId) {
      this.#leaderId = named;
      return true;
    }
    return false;
  }

  #acknowledged(ack: Ack): void {
    this.acks++;
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiting) {
      if (waiter.test(ack)) waiter.resolve(ack);
      else this.#waiters.push(waiter);
    }
  }

  #count(cause: string): void {
    this.failures.set(cause, (this.failures.get(cause) ?? 0) + 1);
  }
}
