import { ClusterClient } from '../cluster/index.js';
import { Consumer as ClientConsumer, type TopicPartition } from '../consumer/index.js';
import { backoffDelay } from '../errors/index.js';
import type { ClientOptions } from '../options/index.js';
import { clientAssignorsFor } from './assigners.js';
import type { ClientContext } from './client-context.js';
import { KAFKAJS_RETRY_DEFAULTS } from './config.js';
import { CONSUMER_EVENTS, clientConsumerOptions } from './consumer-options.js';
import { ResolvedOffsets, offsetsByTopic, offsetsOf, type OffsetToCommit } from './consumer-offsets.js';
import { runBatches, rewindUnfinished, type RunnerHost } from './consumer-runner.js';
import { KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded } from './errors.js';
import { rethrowAsKafkaJS, toKafkaJSError } from './errors-mapping.js';
import { describeGroupsRaw } from './group-descriptions.js';
import { InstrumentationEmitter, type InstrumentationEvent } from './instrumentation.js';
import type { Logger } from './logger.js';
import type {
  Consumer,
  ConsumerConfig,
  ConsumerEvents,
  ConsumerRunConfig,
  ConsumerSubscribeTopic,
  ConsumerSubscribeTopics,
  GroupDescription,
  TopicPartitionOffset,
  TopicPartitionOffsetAndMetadata,
  TopicPartitions,
} from './types-consumer.js';
import type { Offsets } from './types-producer.js';

// kafkajs's special seek offsets.
const EARLIEST = '-2';
const LATEST = '-1';

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * kafkajs's consumer on the client's Consumer. The client consumer is made
 * by run() (kafkajs's subscribe decides fromBeginning, which is the
 * client's autoOffsetReset); commits are this class's, of the offsets the
 * application resolved (kafkajs's semantics), never of what was merely fetched.
 */
export class KafkaJSConsumer implements Consumer {
  readonly events = CONSUMER_EVENTS;
  readonly #context: ClientContext;
  readonly #config: ConsumerConfig;
  readonly #logger: Logger;
  readonly #emitter: InstrumentationEmitter<ConsumerEvents>;
  readonly #topics = new Map<string, { fromBeginning: boolean }>();
  #options: ClientOptions | undefined;
  #cluster: ClusterClient | undefined;
  #client: ClientConsumer<Buffer, Buffer> | undefined;
  #offsets: ResolvedOffsets | undefined;
  #runConfig: ConsumerRunConfig | undefined;
  #running = false;
  #loop: Promise<void> | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  /** stop() was called: a crash in progress must not schedule a restart. */
  #stopped = false;
  /** Per partition, bumped by seek and by losing it: batches fetched before are stale. */
  readonly #epochs = new Map<string, number>();
  /** Seeks of partitions not assigned yet, applied when they are (kafkajs keeps them too). */
  readonly #pendingSeeks = new Map<string, { topic: string; partition: number; offset: string }>();
  /** Topics paused whole: their partitions assigned later start paused. */
  readonly #pausedTopics = new Set<string>();
  /** When the current join began (the start, or the revocation that began a rebalance): GROUP_JOIN's duration. */
  #joinStarted = Date.now();

  constructor(context: ClientContext, config: ConsumerConfig) {
    if (!config?.groupId) throw new KafkaJSNonRetriableError('Consumer groupId must be a non-empty string.');
    clientAssignorsFor(config.partitionAssigners);
    this.#context = context;
    this.#config = config;
    this.#logger = context.logger.namespace('Consumer');
    this.#emitter = new InstrumentationEmitter(CONSUMER_EVENTS, this.#logger);
  }

  async connect(): Promise<void> {
    if (this.#cluster === undefined) {
      try {
        this.#options = await this.#context.clientOptions(this.#logger, this.#config.retry, {
          maxInFlightRequests: this.#config.maxInFlightRequests,
          metadataMaxAge: this.#config.metadataMaxAge,
        });
        const cluster = new ClusterClient(this.#options);
        await cluster.connect();
        this.#cluster = cluster;
      } catch (error) {
        rethrowAsKafkaJS(error);
      }
    }
    this.#emitter.emit(CONSUMER_EVENTS.CONNECT, null);
  }

  async disconnect(): Promise<void> {
    await this.stop();
    const cluster = this.#cluster;
    this.#cluster = undefined;
    await cluster?.close();
    this.#emitter.emit(CONSUMER_EVENTS.DISCONNECT, null);
  }

  async subscribe(subscription: ConsumerSubscribeTopics | ConsumerSubscribeTopic): Promise<void> {
    if (this.#running) throw new KafkaJSNonRetriableError('Cannot subscribe to topic while consumer is running');
    if (this.#cluster === undefined) throw new KafkaJSNonRetriableError('Cannot subscribe before connect: call consumer.connect() first');
    const wanted = 'topics' in subscription && subscription.topics !== undefined ? subscription.topics : [(subscription as ConsumerSubscribeTopic).topic];
    if (!Array.isArray(wanted) || wanted.some((t) => !(typeof t === 'string' || t instanceof RegExp))) {
      throw new KafkaJSNonRetriableError(`Invalid topics array, the topics have to be strings or regular expressions: ${String(wanted)}`);
    }
    const fromBeginning = subscription.fromBeginning ?? false;
    const patterns = wanted.filter((t): t is RegExp => t instanceof RegExp);
    const names = wanted.filter((t): t is string => typeof t === 'string');
    if (patterns.length > 0) {
      // As kafkajs: a pattern is matched against the topics that exist now, once.
      try {
        const metadata = await this.#cluster.refreshMetadata(null);
        for (const topic of metadata.topics.keys()) if (patterns.some((p) => p.test(topic))) names.push(topic);
      } catch (error) {
        rethrowAsKafkaJS(error);
      }
    }
    for (const topic of names) this.#topics.set(topic, { fromBeginning });
  }

  async run(config: ConsumerRunConfig = {}): Promise<void> {
    if (this.#running) {
      this.#logger.warn('consumer#run was called, but the consumer is already running', { groupId: this.#config.groupId });
      return;
    }
    // Without a handler nothing is ever resolved, and the same messages would be fetched over and over.
    if (typeof config.eachMessage !== 'function' && typeof config.eachBatch !== 'function') {
      throw new KafkaJSNonRetriableError('consumer.run needs an eachMessage or an eachBatch handler');
    }
    if (this.#cluster === undefined) throw new KafkaJSNonRetriableError('Cannot run before connect: call consumer.connect() first');
    this.#runConfig = config;
    this.#stopped = false;
    this.#offsets = new ResolvedOffsets({
      autoCommit: config.autoCommit ?? true,
      autoCommitInterval: config.autoCommitInterval ?? null,
      autoCommitThreshold: config.autoCommitThreshold ?? null,
    });
    await this.#start();
  }

  async #start(): Promise<void> {
    let client: ClientConsumer<Buffer, Buffer>;
    try {
      client = new ClientConsumer<Buffer, Buffer>(
        clientConsumerOptions(this.#options!, this.#config, [...this.#topics.values()], {
          onAssigned: (partitions) => this.#assigned(partitions),
          onRevoked: (partitions) => this.#revoked(partitions),
          onLost: (partitions) => this.#lost(partitions),
        }),
      );
    } catch (error) {
      rethrowAsKafkaJS(error);
    }
    this.#client = client;
    this.#running = true;
    this.#joinStarted = Date.now();
    try {
      client.subscribe([...this.#topics.keys()]);
      // kafkajs's runner reconnects its group (and says CONNECT) on each start, before joining.
      this.#emitter.emit(CONSUMER_EVENTS.CONNECT, null);
      await client.connect();
    } catch (error) {
      this.#running = false;
      this.#client = undefined;
      await client.close().catch(() => {});
      rethrowAsKafkaJS(error);
    }
    this.#loop = this.#consume(client);
  }

  /** The fetch loop: poll, hand the batches to the application, commit as due; kafkajs's retry and crash on failure. */
  async #consume(client: ClientConsumer<Buffer, Buffer>): Promise<void> {
    const retry = { ...KAFKAJS_RETRY_DEFAULTS, ...this.#context.config.retry, ...this.#config.retry };
    const host = this.#runnerHost(client);
    const concurrency = this.#runConfig!.partitionsConsumedConcurrently ?? 1;
    let failures = 0;
    while (this.#running && this.#client === client) {
      let batches: Awaited<ReturnType<typeof client.poll>> = [];
      try {
        this.#emitter.emit(CONSUMER_EVENTS.FETCH_START, { nodeId: -1 });
        const started = Date.now();
        batches = await client.poll({ timeoutMs: 1_000 });
        this.#emitter.emit(CONSUMER_EVENTS.FETCH, { numberOfBatches: batches.length, duration: Date.now() - started, nodeId: -1 });
        await runBatches(host, this.#runConfig!, batches, concurrency);
        if (batches.length === 0) await host.commitIfDue();
        failures = 0;
      } catch (caught) {
        if (!this.#running || this.#client !== client) return;
        rewindUnfinished(host, batches);
        const error = toKafkaJSError(caught) as Error & { retriable?: boolean };
        this.#logger.error(`Error when processing batches: ${error.message}`, { groupId: this.#config.groupId, stack: error.stack });
        // As kafkajs's retrier: anything not marked non-retriable is retried, `retries` times.
        if (error.retriable !== false && failures < retry.retries) {
          const wait = backoffDelay(failures, { retryBackoffMs: retry.initialRetryTime, retryBackoffMaxMs: retry.maxRetryTime, retries: retry.retries });
          failures++;
          await new Promise((resolve) => setTimeout(resolve, wait));
          continue;
        }
        const final = error.retriable === false ? error : new KafkaJSNumberOfRetriesExceeded(error, { retryCount: failures, retryTime: 0, cause: error });
        void this.#crash(final, client);
        return;
      }
    }
  }

  /**
   * kafkajs's onCrash: leave the group (STOP, DISCONNECT, as kafkajs's
   * disconnect says them), tell CRASH listeners, and start again after a
   * wait if the error allows and restartOnFailure agrees — unless the
   * application stopped the consumer meanwhile.
   */
  async #crash(error: Error, client: ClientConsumer<Buffer, Buffer>): Promise<void> {
    this.#logger.error(`Crash: ${error.name}: ${error.message}`, { groupId: this.#config.groupId, stack: error.stack });
    this.#running = false;
    this.#client = undefined;
    await this.#commitResolved(client).catch(() => {});
    await client.close().catch(() => {});
    this.#emitter.emit(CONSUMER_EVENTS.STOP, null);
    this.#emitter.emit(CONSUMER_EVENTS.DISCONNECT, null);
    const retriable = error instanceof KafkaJSNumberOfRetriesExceeded || originalCause(error).retriable === true;
    const restartOnFailure = this.#config.retry?.restartOnFailure;
    let restart = retriable;
    if (retriable && restartOnFailure !== undefined) {
      restart = await restartOnFailure(error).catch(() => true);
    }
    this.#emitter.emit(CONSUMER_EVENTS.CRASH, { error, groupId: this.#config.groupId, restart });
    if (restart && !this.#stopped) {
      const wait = this.#config.retry?.initialRetryTime ?? this.#context.config.retry?.initialRetryTime ?? KAFKAJS_RETRY_DEFAULTS.initialRetryTime;
      this.#restartTimer = setTimeout(() => {
        this.#restartTimer = undefined;
        this.#start().catch((restartError: unknown) => void this.#crash(toKafkaJSError(restartError) as Error, this.#client ?? client));
      }, wait);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#restartTimer !== undefined) clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    const client = this.#client;
    if (client === undefined) return;
    this.#running = false;
    await this.#loop;
    this.#client = undefined;
    try {
      await this.#commitResolved(client);
    } finally {
      await client.close();
      this.#emitter.emit(CONSUMER_EVENTS.STOP, null);
    }
  }

  async commitOffsets(topicPartitions: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    const client = this.#requireRunning('commitOffsets');
    const offsets = topicPartitions.map(({ topic, partition, offset, metadata }) => ({
      topic,
      partition,
      offset: BigInt(offset),
      ...(metadata === undefined || metadata === null ? {} : { metadata }),
    }));
    await this.#commit(client, offsets);
  }

  seek({ topic, partition, offset }: TopicPartitionOffset): void {
    if (!topic) throw new KafkaJSNonRetriableError(`Invalid topic ${topic}`);
    if (!Number.isInteger(partition)) throw new KafkaJSNonRetriableError(`Invalid partition, expected a number received ${partition}`);
    let value: bigint;
    try {
      value = BigInt(offset);
    } catch {
      throw new KafkaJSNonRetriableError(`Invalid offset, expected a long received ${offset}`);
    }
    if (value < 0n && offset !== EARLIEST && offset !== LATEST) throw new KafkaJSNonRetriableError('Offset must not be a negative number');
    const client = this.#requireRunning('seek');
    const owned = client.assignment().some((p) => p.topic === topic && p.partition === partition);
    if (owned) this.#seekNow(client, topic, partition, String(offset));
    else this.#pendingSeeks.set(key(topic, partition), { topic, partition, offset: String(offset) });
  }

  #seekNow(client: ClientConsumer<Buffer, Buffer>, topic: string, partition: number, offset: string): void {
    this.#epochs.set(key(topic, partition), (this.#epochs.get(key(topic, partition)) ?? 0) + 1);
    const target = offset === EARLIEST ? 'earliest' : offset === LATEST ? 'latest' : BigInt(offset);
    client.seek({ topic, partition }, target);
    if (typeof target === 'bigint') {
      // kafkajs commits a seek's offset with autoCommit on, and otherwise leaves it among the uncommitted offsets.
      this.#offsets!.resolve(topic, partition, target - 1n);
      if (this.#runConfig?.autoCommit ?? true) {
        this.#commit(client, [{ topic, partition, offset: target }]).catch((error: unknown) =>
          this.#logger.error(`Failed to commit the offset of a seek: ${String(error)}`, { topic, partition, offset }),
        );
      }
    }
  }

  async describeGroup(): Promise<GroupDescription> {
    if (this.#cluster === undefined) throw new KafkaJSNonRetriableError('Cannot describe the group before connect');
    try {
      const [description] = await describeGroupsRaw(this.#cluster, [this.#config.groupId]);
      return description!;
    } catch (error) {
      rethrowAsKafkaJS(error);
    }
  }

  pause(topics: Array<{ topic: string; partitions?: number[] }>): void {
    const client = this.#requireRunning('pause');
    client.pause(this.#partitionsOf(client, topics, true));
  }

  resume(topics: Array<{ topic: string; partitions?: number[] }>): void {
    const client = this.#requireRunning('resume');
    for (const { topic, partitions } of topics) if (partitions === undefined) this.#pausedTopics.delete(topic);
    client.resume(this.#partitionsOf(client, topics, false));
  }

  paused(): TopicPartitions[] {
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of this.#client?.paused() ?? []) {
      const list = byTopic.get(topic);
      if (list === undefined) byTopic.set(topic, [partition]);
      else list.push(partition);
    }
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
  }

  on(eventName: string, listener: (event: InstrumentationEvent<any>) => void): () => void {
    return this.#emitter.on(eventName, listener);
  }

  logger(): Logger {
    return this.#logger;
  }

  /** kafkajs's pause/resume argument: a topic without partitions means all of its partitions, now and later. */
  #partitionsOf(client: ClientConsumer<Buffer, Buffer>, topics: Array<{ topic: string; partitions?: number[] }>, pausing: boolean): TopicPartition[] {
    if (!Array.isArray(topics)) throw new KafkaJSNonRetriableError('pause/resume take an array of { topic, partitions? }');
    const owned = client.assignment();
    const result: TopicPartition[] = [];
    for (const { topic, partitions } of topics) {
      if (partitions === undefined && pausing) this.#pausedTopics.add(topic);
      for (const p of owned) if (p.topic === topic && (partitions === undefined || partitions.includes(p.partition))) result.push(p);
    }
    return result;
  }

  #requireRunning(what: string): ClientConsumer<Buffer, Buffer> {
    if (this.#client === undefined) throw new KafkaJSNonRetriableError(`Consumer group was not initialized, consumer#run must be called first (${what})`);
    return this.#client;
  }

  #runnerHost(client: ClientConsumer<Buffer, Buffer>): RunnerHost {
    return {
      client,
      offsets: this.#offsets!,
      emitter: this.#emitter,
      events: CONSUMER_EVENTS,
      running: () => this.#running && this.#client === client,
      partitionEpoch: (topic, partition) => this.#epochs.get(key(topic, partition)) ?? 0,
      commit: (offsets?: Offsets) => this.#commit(client, offsets === undefined ? this.#offsets!.uncommitted() : offsetsOf(offsets)),
      commitIfDue: async () => {
        if (this.#offsets!.commitDue()) await this.#commitResolved(client);
      },
    };
  }

  async #commitResolved(client: ClientConsumer<Buffer, Buffer>, partitions?: readonly TopicPartition[]): Promise<void> {
    if (!(this.#runConfig?.autoCommit ?? true)) return;
    const offsets = this.#offsets?.uncommitted(partitions) ?? [];
    if (offsets.length > 0) await this.#commit(client, offsets);
  }

  async #commit(client: ClientConsumer<Buffer, Buffer>, offsets: readonly (OffsetToCommit & { metadata?: string })[]): Promise<void> {
    if (offsets.length === 0) return;
    try {
      await client.commit(offsets);
    } catch (error) {
      rethrowAsKafkaJS(error);
    }
    this.#offsets?.committed(offsets);
    if (this.#emitter.listening(CONSUMER_EVENTS.COMMIT_OFFSETS)) {
      this.#emitter.emit(CONSUMER_EVENTS.COMMIT_OFFSETS, {
        groupId: this.#config.groupId,
        memberId: client.groupMetadata()?.memberId ?? '',
        groupGenerationId: client.groupMetadata()?.generationId ?? -1,
        topics: offsetsByTopic(offsets),
      });
    }
  }

  async #assigned(partitions: TopicPartition[]): Promise<void> {
    const client = this.#client;
    if (client === undefined) return;
    const paused = partitions.filter((p) => this.#pausedTopics.has(p.topic));
    if (paused.length > 0) client.pause(paused);
    for (const { topic, partition } of partitions) {
      const seek = this.#pendingSeeks.get(key(topic, partition));
      if (seek === undefined) continue;
      this.#pendingSeeks.delete(key(topic, partition));
      this.#seekNow(client, topic, partition, seek.offset);
    }
    if (!this.#emitter.listening(CONSUMER_EVENTS.GROUP_JOIN)) return;
    const memberAssignment: Record<string, number[]> = {};
    for (const { topic, partition } of client.assignment()) (memberAssignment[topic] ??= []).push(partition);
    const group = client.groupMetadata();
    this.#emitter.emit(CONSUMER_EVENTS.GROUP_JOIN, {
      duration: Date.now() - this.#joinStarted,
      groupId: this.#config.groupId,
      isLeader: group !== null && group.leaderId === group.memberId,
      leaderId: group?.leaderId ?? '',
      groupProtocol: group?.protocolName ?? '',
      memberId: group?.memberId ?? '',
      memberAssignment,
    });
  }

  async #revoked(partitions: TopicPartition[]): Promise<void> {
    const client = this.#client;
    // Without a client the consumer is stopping (stop() committed already): a leave, not a rebalance.
    if (client !== undefined) {
      this.#joinStarted = Date.now();
      this.#emitter.emit(CONSUMER_EVENTS.REBALANCING, { groupId: this.#config.groupId, memberId: client.groupMetadata()?.memberId ?? '' });
      // kafkajs commits what was resolved before it rejoins; these partitions may move to another member.
      await this.#commitResolved(client, partitions).catch((error: unknown) => this.#logger.warn(`Commit before revocation failed: ${String(error)}`));
    }
    this.#forget(partitions);
  }

  async #lost(partitions: TopicPartition[]): Promise<void> {
    this.#forget(partitions);
  }

  #forget(partitions: readonly TopicPartition[]): void {
    this.#offsets?.forget(partitions);
    for (const { topic, partition } of partitions) this.#epochs.set(key(topic, partition), (this.#epochs.get(key(topic, partition)) ?? 0) + 1);
  }
}

function originalCause(error: Error & { cause?: unknown }): { retriable?: boolean } {
  let current: unknown = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  return (current ?? {}) as { retriable?: boolean };
}
