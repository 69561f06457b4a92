// The controller's decisions on CreateTopics, DeleteTopics and
// CreatePartitions: each checks a request against the metadata state and
// returns the records that carry it out and a result per topic. Checks follow
// Kafka's ReplicationControlManager; messages name what to fix.
import { assignAddedPartitions, assignReplicas } from '@kstream/partitioner';
import { ErrorCode } from '@kstream/protocol';
import { AdminError, adminFailure } from './admin-context.js';
import type { AdminContext, AdminDecision } from './admin-context.js';
import {
  brokerConfigLayers,
  checkCreatableTopicBounds,
  collisionKey,
  describeTopicConfigs,
  hasCollisionChars,
  INTERNAL_TOPICS,
  LoopTurns,
  PartitionBudget,
  requestedPartitions,
  resolveBrokerConfig,
  topicNameProblem,
} from '@kstream/metadata';
import type {
  CreatableTopic,
  CreatableTopicResult,
  CreatePartitionsRequest,
  CreatePartitionsTopicResult,
  CreateTopicsRequest,
  DeletableTopicResult,
  DeleteTopicsRequest,
  MetadataRecord,
  MetadataState,
  PartitionRecord,
  TopicMetadata,
} from '@kstream/metadata';
import { checkConfigValue } from './config-validation.js';

const NO_ERROR = { errorCode: ErrorCode.NONE, errorMessage: null } as const;

/**
 * Decides a CreateTopics request. Async only to share the event loop: a
 * request with thousands of partitions is built in turns (loop-turns.ts),
 * against a state nothing else changes meanwhile.
 */
export async function createTopics(context: AdminContext, request: CreateTopicsRequest): Promise<AdminDecision<CreatableTopicResult[]>> {
  const { state } = context;
  const defaults = resolveBrokerConfig(state.configs('broker', ''), context.staticConfig);
  const duplicates = duplicated(request.topics.map((t) => t.name));
  // Names created earlier in this request count as existing for the later ones.
  const collisionKeys = new Map([...state.topics.keys()].map((name) => [collisionKey(name), name]));
  // Every count is checked before a partition is placed or a record built.
  const budget = new PartitionBudget(state, defaults);
  const turns = new LoopTurns();
  const records: MetadataRecord[] = [];
  const results: CreatableTopicResult[] = [];
  for (const topic of request.topics) {
    if (turns.due) await turns.next();
    try {
      if (duplicates.has(topic.name)) {
        throw new AdminError(ErrorCode.INVALID_REQUEST, `Topic ${topic.name} is listed more than once in the request.`);
      }
      checkNewTopicName(state, topic.name, collisionKeys);
      checkCreatableTopicBounds(topic, defaults, defaults['num.partitions'], state.brokers.size);
      budget.check(topic.name, requestedPartitions(topic, defaults['num.partitions']));
      const assignment = placement(state, topic, defaults['num.partitions'], defaults['default.replication.factor'], context.random);
      const configs = new Map<string, string>();
      for (const { name, value } of topic.configs) {
        if (value === null) throw new AdminError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic config ${name}`);
        if (configs.has(name)) throw new AdminError(ErrorCode.INVALID_CONFIG, `Topic config ${name} is given more than once`);
        checkConfigValue('topic', name, value);
        configs.set(name, value);
      }
      budget.take(assignment.length);

      const topicId = context.newTopicId();
      collisionKeys.set(collisionKey(topic.name), topic.name);
      // The internal topics' names are Kafka's own; only a user's topic is warned about.
      if (hasCollisionChars(topic.name) && !INTERNAL_TOPICS.has(topic.name)) {
        context.logger.warn(
          `controller: topic ${topic.name} has a '.' or '_' in its name; because of metric name limitations ` +
            'a topic whose name differs from it only there would collide with it',
        );
      }
      records.push({ type: 'Topic', name: topic.name, topicId });
      for (const [partition, replicas] of assignment.entries()) {
        records.push(newPartition(state, topicId, partition, replicas));
        if (turns.due) await turns.next();
      }
      for (const [name, value] of configs) {
        records.push({ type: 'Config', resourceType: 'topic', resourceName: topic.name, name, value });
      }
      const described = describeTopicConfigs(configs, brokerConfigLayers(state, context.staticConfig));
      results.push({
        name: topic.name,
        // A validated topic does not exist: it has no id to report.
        topicId: request.validateOnly ? null : topicId,
        ...NO_ERROR,
        numPartitions: assignment.length,
        replicationFactor: assignment[0]!.length,
        configs: described.map((c) => ({
          name: c.name,
          value: c.value,
          readOnly: c.readOnly,
          configSource: c.source,
          isSensitive: c.isSensitive,
        })),
      });
    } catch (error) {
      const { errorCode, errorMessage } = adminFailure(error);
      results.push({ name: topic.name, topicId: null, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: [] });
    }
  }
  return { records: request.validateOnly ? [] : records, results };
}

/**
 * Decides a DeleteTopics request, in turns as createTopics does: a request
 * may name a hundred thousand topics, each failing with its own message.
 */
export async function deleteTopics(context: AdminContext, request: DeleteTopicsRequest, deletionEnabled: boolean): Promise<AdminDecision<DeletableTopicResult[]>> {
  const { state } = context;
  const turns = new LoopTurns();
  const records: MetadataRecord[] = [];
  const results: DeletableTopicResult[] = [];
  const removed = new Set<string>();
  for (const { name, topicId } of request.topics) {
    if (turns.due) await turns.next();
    try {
      if ((name === null) === (topicId === null)) {
        throw new AdminError(ErrorCode.INVALID_REQUEST, 'Each topic to delete must be named by exactly one of its name and its topic id.');
      }
      const topic = name !== null ? state.topicByName(name) : state.topicById(topicId!);
      if (topic === undefined || removed.has(topic.topicId)) {
        throw name !== null
          ? new AdminError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`)
          : new AdminError(ErrorCode.UNKNOWN_TOPIC_ID, `No topic has id ${topicId}.`);
      }
      if (!deletionEnabled) {
        throw new AdminError(ErrorCode.TOPIC_DELETION_DISABLED, `Topic deletion is disabled (delete.topic.enable=false); ${topic.name} was kept.`);
      }
      removed.add(topic.topicId);
      records.push({ type: 'RemoveTopic', topicId: topic.topicId });
      results.push({ name: topic.name, topicId: topic.topicId, ...NO_ERROR });
    } catch (error) {
      results.push({ name, topicId, ...adminFailure(error) });
    }
  }
  return { records, results };
}

/** Decides a CreatePartitions request, in turns as createTopics does. */
export async function createPartitions(context: AdminContext, request: CreatePartitionsRequest): Promise<AdminDecision<CreatePartitionsTopicResult[]>> {
  const { state } = context;
  const duplicates = duplicated(request.topics.map((t) => t.name));
  const budget = new PartitionBudget(state, resolveBrokerConfig(state.configs('broker', ''), context.staticConfig));
  const turns = new LoopTurns();
  const records: MetadataRecord[] = [];
  const results: CreatePartitionsTopicResult[] = [];
  for (const { name, count, assignments } of request.topics) {
    if (turns.due) await turns.next();
    try {
      if (duplicates.has(name)) {
        throw new AdminError(ErrorCode.INVALID_REQUEST, `Topic ${name} is listed more than once in the request.`);
      }
      const topic = state.topicByName(name);
      if (topic === undefined) throw new AdminError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
      const current = topic.partitions.length;
      if (!Number.isInteger(count) || count <= current) {
        throw new AdminError(
          ErrorCode.INVALID_PARTITIONS,
          count === current ? `Topic ${name} already has ${current} partition(s).` : `Topic ${name} currently has ${current} partition(s); ${count} would not be an increase.`,
        );
      }
      budget.check(name, count - current);
      const added = assignments === null ? placeAdded(state, topic, count) : checkedAddedAssignments(state, topic, count, assignments);
      for (const [i, replicas] of added.entries()) {
        records.push(newPartition(state, topic.topicId, current + i, replicas));
        if (turns.due) await turns.next();
      }
      budget.take(added.length);
      results.push({ name, ...NO_ERROR });
    } catch (error) {
      results.push({ name, ...adminFailure(error) });
    }
  }
  return { records: request.validateOnly ? [] : records, results };
}

function checkNewTopicName(state: MetadataState, name: string, collisionKeys: ReadonlyMap<string, string>): void {
  const problem = topicNameProblem(name);
  if (problem !== undefined) throw new AdminError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
  if (state.topicByName(name) !== undefined || collisionKeys.get(collisionKey(name)) === name) {
    throw new AdminError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
  }
  const colliding = collisionKeys.get(collisionKey(name));
  if (colliding !== undefined) {
    throw new AdminError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${colliding}`);
  }
}

/** The replicas of each partition of a new topic: the manual assignment checked, or placed over the live brokers. */
function placement(state: MetadataState, topic: CreatableTopic, defaultPartitions: number, defaultReplicationFactor: number, random: () => number): number[][] {
  if (topic.assignments.length > 0) {
    if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
      throw new AdminError(ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.');
    }
    const byPartition = [...topic.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
    byPartition.forEach(({ partitionIndex }, i) => {
      if (partitionIndex !== i) {
        throw new AdminError(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `The manual partition assignment must list partitions 0 to ${byPartition.length - 1} once each; ` +
            `got partitions ${byPartition.map((a) => a.partitionIndex).join(', ')}.`,
        );
      }
    });
    checkManualReplicas(
      state,
      byPartition.map((a) => a.brokerIds),
      byPartition[0]!.brokerIds.length,
    );
    return byPartition.map((a) => [...a.brokerIds]);
  }
  const partitions = topic.numPartitions === -1 ? defaultPartitions : topic.numPartitions;
  const replicationFactor = topic.replicationFactor === -1 ? defaultReplicationFactor : topic.replicationFactor;
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new AdminError(ErrorCode.INVALID_PARTITIONS, `Number of partitions must be larger than 0, or -1 to use the default (num.partitions); got ${partitions}.`);
  }
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new AdminError(
      ErrorCode.INVALID_REPLICATION_FACTOR,
      `Replication factor must be larger than 0, or -1 to use the default (default.replication.factor); got ${replicationFactor}.`,
    );
  }
  return assignReplicas({ brokerIds: state.liveBrokerIds(), partitions, replicationFactor, random });
}

function placeAdded(state: MetadataState, topic: TopicMetadata, count: number): number[][] {
  return assignAddedPartitions({
    brokerIds: state.liveBrokerIds(),
    existingAssignment: topic.partitions.map((p) => p.replicas),
    partitionCount: count,
  });
}

function checkedAddedAssignments(state: MetadataState, topic: TopicMetadata, count: number, assignments: readonly (readonly number[])[]): number[][] {
  const adding = count - topic.partitions.length;
  if (assignments.length !== adding) {
    throw new AdminError(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      `Attempted to add ${adding} additional partition(s) to topic ${topic.name}, but ${assignments.length} assignment(s) were specified.`,
    );
  }
  checkManualReplicas(state, assignments, topic.partitions[0]?.replicas.length ?? assignments[0]!.length);
  return assignments.map((replicas) => [...replicas]);
}

/** Every partition names `replicationFactor` distinct registered brokers, at least one of them unfenced. */
function checkManualReplicas(state: MetadataState, assignment: readonly (readonly number[])[], replicationFactor: number): void {
  for (const replicas of assignment) {
    if (replicas.length === 0) {
      throw new AdminError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.');
    }
    if (replicas.length !== replicationFactor) {
      throw new AdminError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `The manual partition assignment includes a partition with ${replicas.length} replica(s), ` +
          `but this is inconsistent with previous partitions, which have ${replicationFactor} replica(s).`,
      );
    }
    const seen = new Set<number>();
    for (const brokerId of replicas) {
      if (seen.has(brokerId)) {
        throw new AdminError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes broker ${brokerId} more than once.`);
      }
      seen.add(brokerId);
      if (state.broker(brokerId) === undefined) {
        const registered = [...state.brokers.keys()].sort((a, b) => a - b).join(', ') || 'none';
        throw new AdminError(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `The manual partition assignment includes broker ${brokerId}, but no broker with that id is registered (registered: ${registered}).`,
        );
      }
    }
    if (replicas.every((brokerId) => state.broker(brokerId)!.fenced)) {
      throw new AdminError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `All brokers in the manual partition assignment ${replicas.join(', ')} are fenced: the partition would have no leader.`,
      );
    }
  }
}

/** A new partition: its ISR is its unfenced replicas, its leader the first of them. */
function newPartition(state: MetadataState, topicId: string, partition: number, replicas: readonly number[]): PartitionRecord {
  const isr = replicas.filter((brokerId) => state.broker(brokerId)?.fenced === false);
  return { type: 'Partition', topicId, partition, replicas, isr, leader: isr[0] ?? -1, leaderEpoch: 0, partitionEpoch: 0 };
}

function duplicated(names: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const name of names) (seen.has(name) ? twice : seen).add(name);
  return twice;
}
