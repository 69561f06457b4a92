import { Admin as ClientAdmin } from '../admin/index.js';
import { alterConfigs, describeConfigs } from './admin-configs.js';
import { createTopicsOutcome, deleteGroupsError, deleteRecordsError, rethrowAsKafkaJSAdmin, toKafkaJSAdminError } from './admin-errors.js';
import { fetchOffsets, fetchTopicOffsets, fetchTopicOffsetsByTimestamp, resetOffsets, setOffsets } from './admin-offsets.js';
import type { ClientContext } from './client-context.js';
import { KAFKAJS_RETRY_DEFAULTS, type RetryOptions } from './config.js';
import { KafkaJSNonRetriableError, KafkaJSNotImplemented } from './errors.js';
import { afterRetries } from './errors-mapping.js';
import { InstrumentationEmitter, type InstrumentationEvent } from './instrumentation.js';
import type { Logger } from './logger.js';
import type { Admin, AdminEvents, DeleteGroupsResult, ITopicConfig, ITopicMetadata, ITopicPartitionConfig, SeekEntry } from './types-admin.js';
import type { GroupDescriptions, TopicPartitions } from './types-consumer.js';

const ADMIN_EVENTS: AdminEvents = {
  CONNECT: 'admin.connect',
  DISCONNECT: 'admin.disconnect',
  REQUEST: 'admin.network.request',
  REQUEST_TIMEOUT: 'admin.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'admin.network.request_queue_size',
};

/** kafkajs's default `timeout` of topic changes. */
const KAFKAJS_TOPIC_TIMEOUT_MS = 5_000;

/**
 * kafkajs's admin on the client's Admin, in kafkajs's shapes (offsets as
 * strings, errors as KafkaJS* classes). Each call connects on first use,
 * after connect() resolves the broker list.
 */
export class KafkaJSAdmin implements Admin {
  readonly events = ADMIN_EVENTS;
  readonly #context: ClientContext;
  readonly #retry: RetryOptions | undefined;
  readonly #logger: Logger;
  readonly #emitter: InstrumentationEmitter<AdminEvents>;
  #admin: ClientAdmin | undefined;
  readonly #retries: number;

  constructor(context: ClientContext, config: { retry?: RetryOptions } = {}) {
    this.#context = context;
    this.#retry = config.retry;
    this.#retries = config.retry?.retries ?? context.config.retry?.retries ?? KAFKAJS_RETRY_DEFAULTS.retries;
    this.#logger = context.logger.namespace('Admin');
    this.#emitter = new InstrumentationEmitter(ADMIN_EVENTS, this.#logger);
  }

  async connect(): Promise<void> {
    if (this.#admin === undefined) {
      try {
        const admin = new ClientAdmin(await this.#context.clientOptions(this.#logger, this.#retry));
        await admin.connect();
        this.#admin = admin;
      } catch (error) {
        rethrowAsKafkaJSAdmin(error);
      }
    }
    this.#emitter.emit(ADMIN_EVENTS.CONNECT, null);
  }

  async disconnect(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    await admin?.close();
    this.#emitter.emit(ADMIN_EVENTS.DISCONNECT, null);
  }

  listTopics(): Promise<string[]> {
    return this.#call((admin) => admin.listTopics({ includeInternal: true }));
  }

  /** true when it created the topics; false when they all existed already (kafkajs's answer); rejects for any other failure. */
  async createTopics({
    topics,
    validateOnly,
    waitForLeaders = true,
    timeout = KAFKAJS_TOPIC_TIMEOUT_MS,
  }: {
    validateOnly?: boolean;
    waitForLeaders?: boolean;
    timeout?: number;
    topics: ITopicConfig[];
  }): Promise<boolean> {
    if (!Array.isArray(topics)) throw new KafkaJSNonRetriableError(`Invalid topics array ${String(topics)}`);
    if (topics.some(({ topic }) => typeof topic !== 'string')) throw new KafkaJSNonRetriableError('Invalid topics array, the topic names have to be a valid string');
    if (new Set(topics.map((t) => t.topic)).size < topics.length) throw new KafkaJSNonRetriableError('Invalid topics array, it cannot have multiple entries for the same topic');
    const admin = await this.#connected();
    try {
      await admin.createTopics(
        topics.map(({ topic, numPartitions, replicationFactor, replicaAssignment, configEntries }) => ({
          topic,
          ...(numPartitions === undefined ? {} : { numPartitions }),
          ...(replicationFactor === undefined ? {} : { replicationFactor }),
          ...(replicaAssignment === undefined || replicaAssignment.length === 0
            ? {}
            : { replicaAssignment: [...replicaAssignment].sort((a, b) => a.partition - b.partition).map((a) => a.replicas) }),
          ...(configEntries === undefined ? {} : { configs: Object.fromEntries(configEntries.map(({ name, value }) => [name, value])) }),
        })),
        { validateOnly: validateOnly ?? false, timeoutMs: timeout },
      );
    } catch (error) {
      return createTopicsOutcome(error);
    }
    if (waitForLeaders && !validateOnly)
      await this.#waitForLeaders(
        admin,
        topics.map((t) => t.topic),
        timeout,
      );
    return true;
  }

  // kafkajs waits until every new partition has a leader, so a produce right after succeeds.
  async #waitForLeaders(admin: ClientAdmin, topics: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const described = await admin.describeTopics(topics).catch(() => undefined);
      if (described?.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader !== null))) return;
      if (Date.now() >= deadline) throw new KafkaJSNonRetriableError(`Timed out while waiting for topic leaders: ${topics.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async deleteTopics({ topics, timeout = KAFKAJS_TOPIC_TIMEOUT_MS }: { topics: string[]; timeout?: number }): Promise<void> {
    if (!Array.isArray(topics)) throw new KafkaJSNonRetriableError(`Invalid topics array ${String(topics)}`);
    if (topics.some((topic) => typeof topic !== 'string')) throw new KafkaJSNonRetriableError('Invalid topics array, the names must be a valid string');
    await this.#call((admin) => admin.deleteTopics(topics, { timeoutMs: timeout }));
  }

  async createPartitions({
    topicPartitions,
    validateOnly,
    timeout = KAFKAJS_TOPIC_TIMEOUT_MS,
  }: {
    validateOnly?: boolean;
    timeout?: number;
    topicPartitions: ITopicPartitionConfig[];
  }): Promise<boolean> {
    if (!Array.isArray(topicPartitions)) throw new KafkaJSNonRetriableError(`Invalid topic partitions array ${String(topicPartitions)}`);
    if (topicPartitions.length === 0) throw new KafkaJSNonRetriableError('Empty topic partitions array');
    await this.#call((admin) =>
      admin.createPartitions(
        topicPartitions.map(({ topic, count, assignments }) => ({ topic, count, ...(assignments === undefined ? {} : { assignments }) })),
        { validateOnly: validateOnly ?? false, timeoutMs: timeout },
      ),
    );
    return true;
  }

  async fetchTopicMetadata(options?: { topics: string[] }): Promise<{ topics: ITopicMetadata[] }> {
    return this.#call(async (admin) => {
      const names = options?.topics ?? (await admin.listTopics({ includeInternal: true }));
      const described = await admin.describeTopics(names);
      return {
        topics: described.map(({ topic, partitions }) => ({
          name: topic,
          partitions: partitions.map((p) => ({
            partitionErrorCode: p.leader === null ? 5 : 0,
            partitionId: p.partition,
            leader: p.leader ?? -1,
            replicas: [...p.replicas],
            isr: [...p.isr],
            offlineReplicas: [...p.offline],
          })),
        })),
      };
    });
  }

  fetchOffsets(options: { groupId: string; topics?: string[]; resolveOffsets?: boolean }) {
    return this.#call((admin) => fetchOffsets(admin, options));
  }

  fetchTopicOffsets(topic: string) {
    return this.#call((admin) => fetchTopicOffsets(admin, topic));
  }

  fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number) {
    return this.#call((admin) => fetchTopicOffsetsByTimestamp(admin, topic, timestamp));
  }

  describeCluster(): Promise<{ brokers: Array<{ nodeId: number; host: string; port: number }>; controller: number | null; clusterId: string }> {
    return this.#call(async (admin) => {
      const cluster = await admin.describeCluster();
      return {
        brokers: cluster.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })),
        controller: cluster.controller?.nodeId ?? null,
        clusterId: cluster.clusterId ?? '',
      };
    });
  }

  setOffsets(options: { groupId: string; topic: string; partitions: SeekEntry[] }): Promise<void> {
    return this.#call((admin) => setOffsets(admin, options));
  }

  resetOffsets(options: { groupId: string; topic: string; earliest: boolean }): Promise<void> {
    return this.#call((admin) => resetOffsets(admin, options));
  }

  describeConfigs(configs: Parameters<Admin['describeConfigs']>[0]) {
    return this.#call((admin) => describeConfigs(admin, configs));
  }

  alterConfigs(configs: Parameters<Admin['alterConfigs']>[0]) {
    return this.#call((admin) => alterConfigs(admin, configs));
  }

  listGroups() {
    return this.#call(async (admin) => ({ groups: (await admin.listGroups()).map(({ groupId, protocolType }) => ({ groupId, protocolType })) }));
  }

  async deleteGroups(groupIds: string[]): Promise<DeleteGroupsResult[]> {
    if (!Array.isArray(groupIds)) throw new KafkaJSNonRetriableError(`Invalid groupIds array ${String(groupIds)}`);
    const admin = await this.#connected();
    try {
      await admin.deleteGroups(groupIds);
    } catch (error) {
      throw deleteGroupsError(error);
    }
    return groupIds.map((groupId) => ({ groupId, errorCode: 0 }));
  }

  describeGroups(groupIds: string[]): Promise<GroupDescriptions> {
    return this.#call(async (admin) => ({
      groups: (await admin.describeGroups(groupIds)).map((group) => ({
        // Not in kafkajs's type, but in what it hands over: a described group is one without error.
        ...{ errorCode: 0 },
        groupId: group.groupId,
        protocol: group.protocol,
        protocolType: group.protocolType,
        state: group.state as GroupDescriptions['groups'][number]['state'],
        members: group.members.map((m) => ({
          memberId: m.memberId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.rawAssignment,
        })),
      })),
    }));
  }

  async describeAcls(): Promise<never> {
    throw new KafkaJSNotImplemented('describeAcls is not supported by @kstream/client/kafkajs: the client has no ACL calls');
  }

  async deleteAcls(): Promise<never> {
    throw new KafkaJSNotImplemented('deleteAcls is not supported by @kstream/client/kafkajs: the client has no ACL calls');
  }

  async createAcls(): Promise<never> {
    throw new KafkaJSNotImplemented('createAcls is not supported by @kstream/client/kafkajs: the client has no ACL calls');
  }

  /** Deletes each partition's records below its offset; '-1' means up to the high watermark, as in kafkajs. */
  async deleteTopicRecords({ topic, partitions }: { topic: string; partitions: SeekEntry[] }): Promise<void> {
    if (!topic || typeof topic !== 'string') throw new KafkaJSNonRetriableError(`Invalid topic "${String(topic)}"`);
    if (!Array.isArray(partitions) || partitions.length === 0) throw new KafkaJSNonRetriableError('Invalid partitions');
    const admin = await this.#connected();
    try {
      await admin.deleteRecords(partitions.map(({ partition, offset }) => ({ topic, partition, before: offset === '-1' ? ('highWatermark' as const) : BigInt(offset) })));
    } catch (error) {
      throw deleteRecordsError(error, topic, new Map(partitions.map((p) => [p.partition, p.offset])));
    }
  }

  alterPartitionReassignments({
    topics,
    timeout,
  }: {
    topics: { topic: string; partitionAssignment: { partition: number; replicas: number[] }[] }[];
    timeout?: number;
  }): Promise<void> {
    return this.#call((admin) =>
      admin.alterPartitionReassignments(
        topics.flatMap(({ topic, partitionAssignment }) => partitionAssignment.map(({ partition, replicas }) => ({ topic, partition, replicas }))),
        timeout === undefined ? {} : { timeoutMs: timeout },
      ),
    );
  }

  listPartitionReassignments({ topics, timeout }: { topics?: TopicPartitions[]; timeout?: number } = {}) {
    return this.#call(async (admin) => {
      const asked = topics?.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition })));
      const ongoing = await admin.listPartitionReassignments(asked, timeout === undefined ? {} : { timeoutMs: timeout });
      const byTopic = new Map<string, { partitionIndex: number; replicas: number[]; addingReplicas: number[]; removingReplicas: number[] }[]>();
      for (const r of ongoing) {
        let list = byTopic.get(r.topic);
        if (list === undefined) byTopic.set(r.topic, (list = []));
        list.push({ partitionIndex: r.partition, replicas: [...r.replicas], addingReplicas: [...r.addingReplicas], removingReplicas: [...r.removingReplicas] });
      }
      return { topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) };
    });
  }

  logger(): Logger {
    return this.#logger;
  }

  on(eventName: string, listener: (event: InstrumentationEvent<any>) => void): () => void {
    return this.#emitter.on(eventName, listener);
  }

  async #connected(): Promise<ClientAdmin> {
    if (this.#admin === undefined) await this.connect();
    return this.#admin!;
  }

  /** Runs one admin call, its failure as kafkajs's retrier would hand it over. */
  async #call<T>(call: (admin: ClientAdmin) => Promise<T>): Promise<T> {
    const admin = await this.#connected();
    try {
      return await call(admin);
    } catch (error) {
      throw afterRetries(toKafkaJSAdminError(error), this.#retries);
    }
  }
}
