// The Admin client: topics, configs, groups, offsets and the cluster's
// replicas, over the Kafka protocol. Each call has its own deadline
// (timeoutMs, default defaultApiTimeoutMs) bounding its retries.
//
// Every batch call has one shape: it resolves with one result per item, in
// the order asked, when every item succeeded; otherwise it rejects with an
// AdminBatchError listing each failed item (a KafkaProtocolError naming its
// topic, partition or group) beside the results of the others. Calls that
// are not per item throw their error itself (see admin-errors.ts).
import { ClusterClient } from '../cluster/index.js';
import type { TopicPartition } from '../consumer/assignors/assignor.js';
import { KafkaClosedError } from '../errors/index.js';
import type { AdminContext } from './admin-call.js';
import { describeCluster, electLeaders } from './admin-cluster.js';
import type { ClusterDescription, ElectionResult, ElectionType } from './admin-cluster.js';
import { fetchCommittedOffsets } from './admin-committed-offsets.js';
import type { CommittedOffset, FetchCommittedOptions } from './admin-committed-offsets.js';
import { alterConfigs, describeConfigs } from './admin-configs.js';
import type { AlterConfigsOptions, ConfigAlteration, ConfigResourceQuery, DescribeConfigsOptions, ResourceConfigs } from './admin-configs.js';
import { groupLag, resetGroupOffsets } from './admin-group-offsets.js';
import type { GroupLag, GroupLagOptions, OffsetReset, ResetGroupOffsetsOptions } from './admin-group-offsets.js';
import { deleteGroups, describeGroups, listGroups } from './admin-groups.js';
import type { GroupDescription, GroupListing, ListGroupsOptions } from './admin-groups.js';
import { deleteRecords, listOffsets } from './admin-offsets.js';
import type { DeletedRecords, ListedOffset, ListOffsetsOptions, ListOffsetsQuery, RecordsToDelete } from './admin-offsets.js';
import { resolveAdminOptions } from './admin-options.js';
import type { AdminCallOptions, AdminOptions, ResolvedAdminOptions } from './admin-options.js';
import { alterPartitionReassignments, listPartitionReassignments } from './admin-reassignments.js';
import type { PartitionReassignment, PartitionReassignmentTarget } from './admin-reassignments.js';
import { describeTopics, listTopics } from './admin-topic-metadata.js';
import type { DescribeTopicsOptions, ListTopicsOptions, TopicDescription } from './admin-topic-metadata.js';
import { createPartitions, createTopics, deleteTopics } from './admin-topics.js';
import type { CreatedTopic, CreateTopicsOptions, NewPartitions, NewTopic } from './admin-topics.js';

export class Admin {
  readonly options: ResolvedAdminOptions;
  readonly #cluster: ClusterClient;
  readonly #context: AdminContext;
  #connecting: Promise<void> | undefined;
  #closed = false;

  /** Validates the options (KafkaConfigError naming a bad one); connects on connect() or the first call. */
  constructor(options: AdminOptions) {
    this.options = resolveAdminOptions(options);
    this.#cluster = new ClusterClient(this.options);
    this.#context = { cluster: this.#cluster, options: this.options };
  }

  /** Bootstraps: one broker answers Metadata. Optional; every call connects first. */
  async connect(): Promise<void> {
    this.#throwIfClosed('connect');
    this.#connecting ??= this.#cluster.connect().catch((error: unknown) => {
      this.#connecting = undefined;
      throw error;
    });
    await this.#connecting;
  }

  /** Closes every connection; later calls throw KafkaClosedError. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#cluster.close();
  }

  // Topics

  createTopics(topics: readonly NewTopic[], options?: CreateTopicsOptions): Promise<CreatedTopic[]> {
    return this.#run('createTopics', (c) => createTopics(c, topics, options));
  }

  deleteTopics(topics: readonly string[], options?: AdminCallOptions): Promise<void> {
    return this.#run('deleteTopics', (c) => deleteTopics(c, topics, options));
  }

  listTopics(options?: ListTopicsOptions): Promise<string[]> {
    return this.#run('listTopics', (c) => listTopics(c, options));
  }

  describeTopics(topics: readonly string[], options?: DescribeTopicsOptions): Promise<TopicDescription[]> {
    return this.#run('describeTopics', (c) => describeTopics(c, topics, options));
  }

  createPartitions(increases: readonly NewPartitions[], options?: CreateTopicsOptions): Promise<void> {
    return this.#run('createPartitions', (c) => createPartitions(c, increases, options));
  }

  // Configs

  describeConfigs(resources: readonly ConfigResourceQuery[], options?: DescribeConfigsOptions): Promise<ResourceConfigs[]> {
    return this.#run('describeConfigs', (c) => describeConfigs(c, resources, options));
  }

  /** Incremental: only the keys named change (IncrementalAlterConfigs). */
  alterConfigs(alterations: readonly ConfigAlteration[], options?: AlterConfigsOptions): Promise<void> {
    return this.#run('alterConfigs', (c) => alterConfigs(c, alterations, options));
  }

  // Groups

  listGroups(options?: ListGroupsOptions): Promise<GroupListing[]> {
    return this.#run('listGroups', (c) => listGroups(c, options));
  }

  describeGroups(groupIds: readonly string[], options?: AdminCallOptions): Promise<GroupDescription[]> {
    return this.#run('describeGroups', (c) => describeGroups(c, groupIds, options));
  }

  deleteGroups(groupIds: readonly string[], options?: AdminCallOptions): Promise<void> {
    return this.#run('deleteGroups', (c) => deleteGroups(c, groupIds, options));
  }

  /** Per partition: committed offset, log end offset and their difference. */
  groupLag(groupId: string, options?: GroupLagOptions): Promise<GroupLag> {
    return this.#run('groupLag', (c) => groupLag(c, groupId, options));
  }

  /** Only for a group without members (KafkaGroupNotEmptyError); resolves with the plan, committed unless dryRun. */
  resetGroupOffsets(groupId: string, options: ResetGroupOffsetsOptions): Promise<OffsetReset[]> {
    return this.#run('resetGroupOffsets', (c) => resetGroupOffsets(c, groupId, options));
  }

  /** `partitions` absent: every partition the group has committed. */
  fetchCommittedOffsets(groupId: string, partitions?: readonly TopicPartition[], options?: FetchCommittedOptions): Promise<CommittedOffset[]> {
    return this.#run('fetchCommittedOffsets', (c) => fetchCommittedOffsets(c, groupId, partitions, options));
  }

  // Offsets and records

  listOffsets(queries: readonly ListOffsetsQuery[], options?: ListOffsetsOptions): Promise<ListedOffset[]> {
    return this.#run('listOffsets', (c) => listOffsets(c, queries, options));
  }

  deleteRecords(deletions: readonly RecordsToDelete[], options?: AdminCallOptions): Promise<DeletedRecords[]> {
    return this.#run('deleteRecords', (c) => deleteRecords(c, deletions, options));
  }

  // Cluster and replicas

  describeCluster(options?: AdminCallOptions): Promise<ClusterDescription> {
    return this.#run('describeCluster', (c) => describeCluster(c, options));
  }

  /** `partitions` null: every partition of the cluster. */
  electLeaders(type: ElectionType, partitions: readonly TopicPartition[] | null, options?: AdminCallOptions): Promise<ElectionResult[]> {
    return this.#run('electLeaders', (c) => electLeaders(c, type, partitions, options));
  }

  alterPartitionReassignments(reassignments: readonly PartitionReassignmentTarget[], options?: AdminCallOptions): Promise<void> {
    return this.#run('alterPartitionReassignments', (c) => alterPartitionReassignments(c, reassignments, options));
  }

  listPartitionReassignments(partitions?: readonly TopicPartition[], options?: AdminCallOptions): Promise<PartitionReassignment[]> {
    return this.#run('listPartitionReassignments', (c) => listPartitionReassignments(c, partitions, options));
  }

  async #run<T>(method: string, call: (context: AdminContext) => Promise<T>): Promise<T> {
    this.#throwIfClosed(method);
    await this.connect();
    return call(this.#context);
  }

  #throwIfClosed(method: string): void {
    if (this.#closed) throw new KafkaClosedError(`Admin.${method}: the admin client is closed`);
  }
}
