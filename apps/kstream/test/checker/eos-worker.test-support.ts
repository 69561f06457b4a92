// A consume-transform-produce worker as a kafkajs application writes one:
// a kafkajs consumer in the group (read_committed, autoCommit off), and for
// each input partition it owns a kafkajs transactional producer whose
// transactional id is that partition's — Kafka's recipe before KIP-447, the
// one kafkajs can follow, since its sendOffsets carries no group generation:
// the new owner's InitProducerId fences the old owner (a zombie still
// processing after a rebalance) and completes or aborts its open
// transaction. Only then does the owner read the group's committed offset
// (OffsetFetch with requireStable, as a read_committed Java consumer does)
// and process from there. Each run of up to `recordsPerTransaction` input
// records is one transaction: one output per input (`<id>|<tag>`, keyed by
// the id, so a transaction spans several output partitions) and the input
// offset after the run through sendOffsets, then commit (the outputs go
// out one send() per output partition: see byOutputPartition). A transaction that
// fails is aborted when it can be, its producer closed, the partition owned
// again (a new producer, fencing the failed one) and the consumer moved back
// to the committed offset — what an application does after an error.
import { setTimeout as sleep } from 'node:timers/promises';
import { partitionForKey } from '@kstream/partitioner';
import { Kafka, logLevel, type Consumer, type EachBatchPayload, type KafkaMessage, type Producer, type Transaction } from 'kafkajs';
import type { EosHistoryRecorder, TxnAttempt } from './eos-history.test-support.js';
import { outputValue, parseInputValue } from './eos-history.test-support.js';
import type { CoordinatorClient } from './eos-offsets.test-support.js';
import { within } from './raw-cluster.test-support.js';

export interface EosWorkerOptions {
  readonly name: string;
  readonly bootstrap: string;
  readonly group: string;
  readonly inputTopic: string;
  readonly outputTopic: string;
  /** The transactional id of input partition p is `<prefix>-<p>`. */
  readonly transactionalIdPrefix: string;
  readonly recordsPerTransaction: number;
  readonly outputPartitions: number;
  readonly coordinators: CoordinatorClient;
  readonly transactionTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly requestTimeoutMs: number;
  /** How long the worker waits for one step of a transaction (or for owning a partition) before it gives the transaction up. */
  readonly operationTimeoutMs: number;
}

interface Ownership {
  readonly producer: Producer;
  readonly transactionalId: string;
  /** The consumer generation (as this worker counts its joins) it was taken in. */
  readonly generation: number;
  /** The next input offset to process: the group's committed offset when owned, then after each commit. */
  next: bigint;
}

/**
 * Input ids by the output partition their output goes to (murmur2 of the id, as kafkajs's default partitioner would
 * place the key). The worker sends each partition's outputs in a send() of their own: a kafkajs send() that spans
 * several brokers keeps the answers of the brokers that succeeded across its retries, so after a leader change it
 * resends a partition already written (with new sequence numbers, a duplicate no broker can recognise) or never sends
 * one whose new leader had already answered for other partitions — and resolves (kafkajs issues #1303, #1798).
 */
export function byOutputPartition(inputs: readonly number[], partitions: number): Map<number, number[]> {
  const grouped = new Map<number, number[]>();
  for (const id of inputs) {
    const partition = partitionForKey(String(id), partitions);
    (grouped.get(partition) ?? grouped.set(partition, []).get(partition)!).push(id);
  }
  return grouped;
}

/** A kafkajs error as a short line: its protocol error type when it has one. */
export function errorText(error: unknown): string {
  const e = error as { type?: string; name?: string; message?: string };
  const text = e.type !== undefined ? `${e.type}: ${e.message ?? ''}` : `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

export class EosWorker {
  readonly #kafka: Kafka;
  #consumer: Consumer;
  readonly #owned = new Map<number, Ownership>();
  #generation = 0;
  #attempts = 0;
  #stopping = false;
  #restarting: Promise<void> | null = null;
  /** Set by freeze(): the next transaction stalls this long between sendOffsets and commit. */
  #freezeMs = 0;

  private constructor(
    readonly options: EosWorkerOptions,
    private readonly recorder: EosHistoryRecorder,
  ) {
    this.#kafka = new Kafka({
      clientId: options.name,
      brokers: options.bootstrap.split(','),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_000,
      requestTimeout: options.requestTimeoutMs,
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    this.#consumer = this.#newConsumer();
  }

  get name(): string {
    return this.options.name;
  }

  static async start(options: EosWorkerOptions, recorder: EosHistoryRecorder): Promise<EosWorker> {
    const worker = new EosWorker(options, recorder);
    await worker.#run(worker.#consumer);
    return worker;
  }

  /**
   * Makes the worker a zombie: its next transaction, its outputs and offsets sent, stalls `ms` before committing —
   * heartbeats stop with it, so the group moves its partitions and their new owner's InitProducerId fences it — then
   * commits, as a process that was paused (a long GC, a stopped VM) would.
   */
  freeze(ms: number): void {
    this.#freezeMs = ms;
  }

  /** Leaves the group once the transaction in progress has ended, then closes every producer. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#restarting;
    await this.#consumer.disconnect().catch(() => {});
    await Promise.all([...this.#owned.keys()].map((p) => this.#drop(p, 'worker stopped')));
  }

  #newConsumer(): Consumer {
    const { options } = this;
    const consumer = this.#kafka.consumer({
      groupId: options.group,
      sessionTimeout: options.sessionTimeoutMs,
      rebalanceTimeout: options.rebalanceTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      maxWaitTimeInMs: 200,
      readUncommitted: false,
      allowAutoTopicCreation: false,
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.#generation++;
      const partitions = payload.memberAssignment[options.inputTopic] ?? [];
      this.recorder.event(options.name, `joined (join ${this.#generation}) with input partitions [${partitions.join(', ')}]`);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.recorder.event(options.name, `consumer crashed (${errorText(payload.error)})${payload.restart ? ', kafkajs restarts it' : ''}`);
      if (!payload.restart && !this.#stopping) this.#restarting ??= this.#restartConsumer().finally(() => (this.#restarting = null));
    });
    return consumer;
  }

  async #run(consumer: Consumer): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({ topic: this.options.inputTopic, fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.#eachBatch(payload) });
  }

  /** A consumer that kafkajs gave up on is replaced by a new one in the group, as an application's supervisor would. */
  async #restartConsumer(): Promise<void> {
    await this.#consumer.disconnect().catch(() => {});
    for (;;) {
      if (this.#stopping) return;
      this.#consumer = this.#newConsumer();
      try {
        await this.#run(this.#consumer);
        this.recorder.event(this.options.name, 'consumer restarted');
        return;
      } catch (error) {
        this.recorder.event(this.options.name, `consumer restart failed (${errorText(error)}), again in 500 ms`);
        await this.#consumer.disconnect().catch(() => {});
        await sleep(500);
      }
    }
  }

  async #eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const partition = batch.partition;
    if (this.#stopping || batch.isEmpty()) return;
    const owned = await this.#own(partition);
    if (owned === null) {
      await sleep(200);
      return;
    }
    const messages = batch.messages.filter((m) => BigInt(m.offset) >= owned.next);
    if (messages.length === 0 || BigInt(messages[0]!.offset) !== owned.next) {
      this.#seek(partition, owned.next, `fetched from ${batch.firstOffset()}`);
      return;
    }
    for (let i = 0; i < messages.length; i += this.options.recordsPerTransaction) {
      if (this.#stopping || !isRunning() || isStale() || owned.generation !== this.#generation) return;
      const run = messages.slice(i, i + this.options.recordsPerTransaction);
      if (!(await this.#transact(partition, owned, run))) {
        await this.#drop(partition, 'its transaction failed');
        const again = await this.#own(partition);
        if (again !== null) this.#seek(partition, again.next, 'after the failed transaction');
        return;
      }
      resolveOffset(run.at(-1)!.offset);
      try {
        await heartbeat();
      } catch {
        return;
      }
    }
  }

  #seek(partition: number, offset: bigint, why: string): void {
    this.recorder.event(this.options.name, `seek input-${partition} to the committed offset ${offset} (${why})`);
    this.#consumer.seek({ topic: this.options.inputTopic, partition, offset: String(offset) });
  }

  /**
   * This worker's ownership of `partition` in its current generation: taken (a new transactional producer initialised,
   * fencing any other, then the committed offset read with requireStable) when it has none; null when that failed.
   */
  async #own(partition: number): Promise<Ownership | null> {
    const held = this.#owned.get(partition);
    if (held !== undefined && held.generation === this.#generation) return held;
    if (held !== undefined) await this.#drop(partition, 'a new generation');
    const { options } = this;
    const generation = this.#generation;
    const transactionalId = `${options.transactionalIdPrefix}-${partition}`;
    const producer = this.#kafka.producer({ transactionalId, maxInFlightRequests: 1, idempotent: true, transactionTimeout: options.transactionTimeoutMs });
    try {
      await within(producer.connect(), options.operationTimeoutMs, `${options.name}: connecting the producer of ${transactionalId}`);
      // The first transaction() sends InitProducerId; one ended with nothing in it sends no EndTxn.
      const init = await within(producer.transaction(), options.operationTimeoutMs, `${options.name}: InitProducerId of ${transactionalId}`);
      await init.abort();
      const offsets = await options.coordinators.stableOffsets(options.group, options.inputTopic, [partition], Date.now() + options.operationTimeoutMs);
      const committed = offsets.get(partition)!;
      const owned: Ownership = { producer, transactionalId, generation, next: committed < 0n ? 0n : committed };
      this.#owned.set(partition, owned);
      this.recorder.event(options.name, `owns input-${partition} (${transactionalId}) from the committed offset ${committed}`);
      return owned;
    } catch (error) {
      this.recorder.event(options.name, `could not own input-${partition} (${errorText(error)})`);
      await within(producer.disconnect(), options.operationTimeoutMs, 'disconnect').catch(() => {});
      return null;
    }
  }

  async #drop(partition: number, why: string): Promise<void> {
    const owned = this.#owned.get(partition);
    if (owned === undefined) return;
    this.#owned.delete(partition);
    this.recorder.event(this.options.name, `drops input-${partition} (${why})`);
    await within(owned.producer.disconnect(), this.options.operationTimeoutMs, 'disconnect').catch(() => {});
  }

  /** One transaction over `run` (consecutive records of `partition` from `owned.next`); true when its commit resolved. */
  async #transact(partition: number, owned: Ownership, run: readonly KafkaMessage[]): Promise<boolean> {
    const { options } = this;
    const inputs = run.map((m) => {
      const id = parseInputValue(m.value?.toString() ?? '');
      if (id === null) throw new Error(`${options.inputTopic}-${partition}@${m.offset} holds ${JSON.stringify(m.value?.toString())}, not an input of this run`);
      return id;
    });
    const lastOffset = BigInt(run.at(-1)!.offset);
    const attempt: TxnAttempt = {
      tag: `${options.name}.${++this.#attempts}`,
      worker: options.name,
      transactionalId: owned.transactionalId,
      inputPartition: partition,
      inputs,
      firstOffset: owned.next,
      lastOffset,
      committedOffset: lastOffset + 1n,
      startedAt: this.recorder.now(),
      endedAt: null,
      outcome: null,
    };
    this.recorder.transactions.push(attempt);
    const step = <T>(promise: Promise<T>, what: string): Promise<T> => within(promise, options.operationTimeoutMs, `${attempt.tag}: ${what}`);
    let transaction: Transaction | undefined;
    let committing = false;
    try {
      transaction = await step(owned.producer.transaction(), 'begin');
      for (const [outputPartition, ids] of byOutputPartition(inputs, options.outputPartitions)) {
        const messages = ids.map((id) => ({ key: String(id), value: outputValue(id, attempt.tag), partition: outputPartition }));
        await step(transaction.send({ topic: options.outputTopic, acks: -1, timeout: options.requestTimeoutMs, messages }), `send to output-${outputPartition}`);
      }
      await step(
        transaction.sendOffsets({ consumerGroupId: options.group, topics: [{ topic: options.inputTopic, partitions: [{ partition, offset: String(attempt.committedOffset) }] }] }),
        'sendOffsets',
      );
      if (this.#freezeMs > 0) {
        const ms = this.#freezeMs;
        this.#freezeMs = 0;
        this.recorder.event(options.name, `frozen for ${ms} ms before committing ${attempt.tag}`);
        await sleep(ms);
        this.recorder.event(options.name, `wakes up and commits ${attempt.tag}`);
      }
      committing = true;
      await step(transaction.commit(), 'commit');
      attempt.outcome = { kind: 'committed' };
      owned.next = attempt.committedOffset;
      return true;
    } catch (error) {
      attempt.outcome = committing ? { kind: 'uncertain', error: errorText(error) } : { kind: 'aborted', error: errorText(error) };
      // Best effort: if the abort fails too, the next owner's InitProducerId aborts the transaction. Not after a step of
      // ours timed out: kafkajs may still be retrying that send, and a Produce landing after the abort's markers would
      // open a transaction the coordinator does not know of (a hanging transaction, KIP-890's subject).
      const timedOut = (error as Error).message.startsWith(`${attempt.tag}:`);
      if (!committing && !timedOut && transaction?.isActive() === true) await step(transaction.abort(), 'abort').catch(() => {});
      return false;
    } finally {
      attempt.endedAt = this.recorder.now();
    }
  }
}
