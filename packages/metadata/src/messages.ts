// The controller actor's messages. ControllerRequest is what a broker asks
// over its controller channel (names follow Kafka's KRaft RPCs and admin
// APIs); ControllerToBroker is what the controller tells a broker on the same
// channel. Admin requests carry plain objects, not wire structs: the broker's
// handlers translate Kafka's request versions into these and the results
// back into responses.
import type { ConfigSource } from './config-definition.js';
import type { ConfigResourceType } from './metadata-records.js';

/** A broker starting (or restarting) joins the cluster with its listener. */
export interface BrokerRegistrationRequest {
  readonly type: 'BrokerRegistration';
  readonly brokerId: number;
  readonly host: string;
  readonly port: number;
}

/**
 * Records that rebuild the controller's current state in a fresh
 * MetadataState, packed as a metadata log frame (`unpackMetadataBatch` reads
 * them: the controller packs them in turns, the broker decodes them on its
 * own thread), and the offset of the last record of the metadata log they
 * reflect. MetadataUpdates with a lastOffset at or below it are already in it.
 */
export interface MetadataSnapshot {
  readonly batch: Uint8Array;
  readonly lastOffset: number;
}

export interface BrokerRegistrationReply {
  /** Identifies this incarnation of the broker; heartbeats carry it. */
  readonly brokerEpoch: number;
  readonly clusterId: string;
  /** The whole metadata, including this registration; replaces whatever the broker held before. */
  readonly metadata: MetadataSnapshot;
}

/** A registered broker says it is still alive. */
export interface BrokerHeartbeatRequest {
  readonly type: 'BrokerHeartbeat';
  readonly brokerId: number;
  readonly brokerEpoch: number;
}

export interface BrokerHeartbeatReply {
  /** The controller considers this incarnation dead: register again. */
  readonly isFenced: boolean;
}

/** Kafka's per-resource outcome: errorCode 0 (NONE) and a null message on success. */
export interface ResultError {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

/** Every admin reply names the metadata offset at which its changes are visible (the last offset of the log when nothing changed). */
export interface AdminReply {
  readonly metadataOffset: number;
}

export interface ConfigEntry {
  readonly name: string;
  readonly value: string | null;
}

/** CreateTopics: create topics, each with its partitions and configs. */
export interface CreateTopicsRequest {
  readonly type: 'CreateTopics';
  readonly topics: readonly CreatableTopic[];
  /** Run every check, write nothing. */
  readonly validateOnly: boolean;
}

export interface CreatableTopic {
  readonly name: string;
  /** -1: the broker config num.partitions. Must be -1 when assignments are given. */
  readonly numPartitions: number;
  /** -1: the broker config default.replication.factor. Must be -1 when assignments are given. */
  readonly replicationFactor: number;
  /** Manual placement: one entry per partition, partition indexes 0..n-1. Empty for automatic placement. */
  readonly assignments: readonly { readonly partitionIndex: number; readonly brokerIds: readonly number[] }[];
  readonly configs: readonly ConfigEntry[];
}

/** A created topic's config as CreateTopics v5+ reports it. */
export interface CreatableTopicConfig {
  readonly name: string;
  readonly value: string | null;
  readonly readOnly: boolean;
  readonly configSource: ConfigSource;
  readonly isSensitive: boolean;
}

export interface CreatableTopicResult extends ResultError {
  readonly name: string;
  /** Null when the topic was not created. */
  readonly topicId: string | null;
  /** -1 when the topic was not created. */
  readonly numPartitions: number;
  /** -1 when the topic was not created. */
  readonly replicationFactor: number;
  /** Every topic config with its effective value; empty when the topic was not created. */
  readonly configs: readonly CreatableTopicConfig[];
}

export interface CreateTopicsReply extends AdminReply {
  /** One result per requested topic, in request order. */
  readonly topics: readonly CreatableTopicResult[];
}

/** DeleteTopics: each entry names a topic by name or by id (exactly one of the two). */
export interface DeleteTopicsRequest {
  readonly type: 'DeleteTopics';
  readonly topics: readonly { readonly name: string | null; readonly topicId: string | null }[];
}

export interface DeletableTopicResult extends ResultError {
  /** The topic's name: as requested, or found by its id; null for an unknown id. */
  readonly name: string | null;
  readonly topicId: string | null;
}

export interface DeleteTopicsReply extends AdminReply {
  readonly topics: readonly DeletableTopicResult[];
}

/** CreatePartitions: grow topics to `count` partitions. */
export interface CreatePartitionsRequest {
  readonly type: 'CreatePartitions';
  readonly topics: readonly CreatePartitionsTopic[];
  readonly validateOnly: boolean;
}

export interface CreatePartitionsTopic {
  readonly name: string;
  /** The new total number of partitions. */
  readonly count: number;
  /** Replicas of each added partition (count - current entries), or null for automatic placement. */
  readonly assignments: readonly (readonly number[])[] | null;
}

export interface CreatePartitionsTopicResult extends ResultError {
  readonly name: string;
}

export interface CreatePartitionsReply extends AdminReply {
  readonly results: readonly CreatePartitionsTopicResult[];
}

/** A topic, or a broker: resourceName is a broker id in decimal or '' for the cluster-wide default. */
export interface ConfigResource {
  readonly resourceType: ConfigResourceType;
  readonly resourceName: string;
}

export interface ConfigResourceResult extends ConfigResource, ResultError {}

/** AlterConfigs (legacy): each resource's dynamic configs become exactly the given set. */
export interface AlterConfigsRequest {
  readonly type: 'AlterConfigs';
  readonly resources: readonly (ConfigResource & { readonly configs: readonly ConfigEntry[] })[];
  readonly validateOnly: boolean;
}

export interface AlterConfigsReply extends AdminReply {
  readonly resources: readonly ConfigResourceResult[];
}

/** IncrementalAlterConfigs' operations, at the index of Kafka's AlterConfigOp.OpType id (0 SET .. 3 SUBTRACT). */
export const CONFIG_OPERATIONS = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'] as const;
export type ConfigOperation = (typeof CONFIG_OPERATIONS)[number];

export interface AlterableConfig {
  readonly name: string;
  readonly operation: ConfigOperation;
  /** Ignored for DELETE; for APPEND and SUBTRACT, a comma-separated list of items. */
  readonly value: string | null;
}

/** IncrementalAlterConfigs: change single keys of each resource's dynamic configs. */
export interface IncrementalAlterConfigsRequest {
  readonly type: 'IncrementalAlterConfigs';
  readonly resources: readonly (ConfigResource & { readonly configs: readonly AlterableConfig[] })[];
  readonly validateOnly: boolean;
}

export interface IncrementalAlterConfigsReply extends AdminReply {
  readonly resources: readonly ConfigResourceResult[];
}

/**
 * A partition leader asks to change its ISR (Kafka's AlterPartition,
 * KIP-497): shrink it by followers that fell behind, expand it by one that
 * caught up. The leader keeps acting on the ISR it has until the controller
 * accepts the change and pushes it back as a PartitionRecord.
 */
export interface AlterPartitionRequest {
  readonly type: 'AlterPartition';
  readonly brokerId: number;
  /** The asking broker's epoch: an older incarnation's request is STALE_BROKER_EPOCH. */
  readonly brokerEpoch: number;
  readonly partitions: readonly AlterPartitionItem[];
}

export interface AlterPartitionItem {
  readonly topicId: string;
  readonly partition: number;
  /** The leader epoch the asking leader holds: another one is FENCED_LEADER_EPOCH. */
  readonly leaderEpoch: number;
  /** The partition epoch the change is based on: another one is INVALID_UPDATE_VERSION. */
  readonly partitionEpoch: number;
  readonly newIsr: readonly number[];
}

/** The partition's state after the request: the accepted change, or (on an error) what the controller holds. */
export interface AlterPartitionResult {
  readonly topicId: string;
  readonly partition: number;
  /** NONE, or Kafka's AlterPartition errors: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION, INELIGIBLE_REPLICA. */
  readonly errorCode: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly partitionEpoch: number;
}

export interface AlterPartitionReply {
  /** STALE_BROKER_EPOCH when the asking incarnation is not the registered one; then `partitions` is empty. */
  readonly errorCode: number;
  readonly partitions: readonly AlterPartitionResult[];
  readonly metadataOffset: number;
}

/**
 * A broker stopping on purpose (Kafka's controlled shutdown): the controller
 * moves every leadership it holds to another in-sync replica and takes it
 * out of every ISR, then answers how many leaderships it could not move
 * (partitions with no other live in-sync replica). The broker stops after
 * the answer; its worker's exit fences it.
 */
export interface ControlledShutdownRequest {
  readonly type: 'ControlledShutdown';
  readonly brokerId: number;
  readonly brokerEpoch: number;
}

export interface ControlledShutdownReply {
  readonly errorCode: number;
  /** Partitions the broker still leads: no other live replica was in their ISR. */
  readonly remainingLeaderships: number;
  readonly metadataOffset: number;
}

/**
 * A broker asks for a block of producer ids to hand out (Kafka's
 * AllocateProducerIds, KIP-730). The controller records the block in the
 * metadata log before it answers, so blocks never overlap.
 */
export interface AllocateProducerIdsRequest {
  readonly type: 'AllocateProducerIds';
  readonly brokerId: number;
  /** The asking broker's epoch: one that is not its current registration is STALE_BROKER_EPOCH. */
  readonly brokerEpoch: number;
}

export interface AllocateProducerIdsReply extends ResultError {
  /**
   * The block: ids producerIdStart .. producerIdStart + producerIdLen - 1.
   * On an error (STALE_BROKER_EPOCH, BROKER_ID_NOT_REGISTERED for a fenced
   * incarnation, UNKNOWN_SERVER_ERROR once ids are exhausted) -1 and 0.
   */
  readonly producerIdStart: bigint;
  readonly producerIdLen: number;
}

/** Kafka's ElectionType: 0 preferred, 1 unclean. */
export type ElectionType = 'preferred' | 'unclean';

/** ElectLeaders: elect the preferred (first live in-sync) replica, or any live replica (unclean). */
export interface ElectLeadersRequest {
  readonly type: 'ElectLeaders';
  readonly electionType: ElectionType;
  /** null: every partition of the cluster. */
  readonly topicPartitions: readonly { readonly topic: string; readonly partitions: readonly number[] }[] | null;
}

export interface ElectLeadersPartitionResult extends ResultError {
  readonly partition: number;
}

export interface ElectLeadersTopicResult {
  readonly topic: string;
  readonly partitions: readonly ElectLeadersPartitionResult[];
}

export interface ElectLeadersReply extends AdminReply {
  readonly results: readonly ElectLeadersTopicResult[];
}

/**
 * AlterPartitionReassignments (KIP-455): move each named partition to its
 * target replicas, or (replicas null) cancel its ongoing reassignment.
 */
export interface AlterPartitionReassignmentsRequest {
  readonly type: 'AlterPartitionReassignments';
  readonly topics: readonly ReassignableTopic[];
}

export interface ReassignableTopic {
  readonly name: string;
  readonly partitions: readonly { readonly partition: number; readonly replicas: readonly number[] | null }[];
}

export interface ReassignablePartitionResult extends ResultError {
  readonly partition: number;
}

export interface ReassignableTopicResult {
  readonly name: string;
  readonly partitions: readonly ReassignablePartitionResult[];
}

export interface AlterPartitionReassignmentsReply extends AdminReply {
  /** One result per requested partition, in request order. */
  readonly topics: readonly ReassignableTopicResult[];
}

/** ListPartitionReassignments: the ongoing reassignments, of every partition (topics null) or of the named ones. */
export interface ListPartitionReassignmentsRequest {
  readonly type: 'ListPartitionReassignments';
  readonly topics: readonly { readonly name: string; readonly partitions: readonly number[] }[] | null;
}

export interface OngoingPartitionReassignment {
  readonly partition: number;
  /** Target replicas followed by those being removed. */
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
}

export interface OngoingTopicReassignment {
  readonly name: string;
  readonly partitions: readonly OngoingPartitionReassignment[];
}

export interface ListPartitionReassignmentsReply extends AdminReply {
  /** Only topics with a reassignment in progress; unknown topics and partitions are left out, as in Kafka. */
  readonly topics: readonly OngoingTopicReassignment[];
}

export type ControllerRequest =
  | BrokerRegistrationRequest
  | BrokerHeartbeatRequest
  | AlterPartitionRequest
  | ControlledShutdownRequest
  | AllocateProducerIdsRequest
  | CreateTopicsRequest
  | DeleteTopicsRequest
  | CreatePartitionsRequest
  | AlterConfigsRequest
  | IncrementalAlterConfigsRequest
  | ElectLeadersRequest
  | AlterPartitionReassignmentsRequest
  | ListPartitionReassignmentsRequest;

export interface ControllerReplies {
  BrokerRegistration: BrokerRegistrationReply;
  BrokerHeartbeat: BrokerHeartbeatReply;
  AlterPartition: AlterPartitionReply;
  ControlledShutdown: ControlledShutdownReply;
  AllocateProducerIds: AllocateProducerIdsReply;
  CreateTopics: CreateTopicsReply;
  DeleteTopics: DeleteTopicsReply;
  CreatePartitions: CreatePartitionsReply;
  AlterConfigs: AlterConfigsReply;
  IncrementalAlterConfigs: IncrementalAlterConfigsReply;
  ElectLeaders: ElectLeadersReply;
  AlterPartitionReassignments: AlterPartitionReassignmentsReply;
  ListPartitionReassignments: ListPartitionReassignmentsReply;
}

/**
 * Told to every registered broker after each append to the metadata log:
 * the appended records, in order, the last of which has offset `lastOffset`,
 * packed as the log frame holds them (`unpackMetadataBatch` reads them), so
 * the controller encodes a batch once however many brokers there are, and
 * each broker decodes it on its own thread. A broker applies them to its
 * MetadataState; it skips an update whose lastOffset its snapshot already
 * covers.
 */
export interface MetadataUpdateMessage {
  readonly type: 'MetadataUpdate';
  readonly batch: Uint8Array;
  readonly lastOffset: number;
}

export type ControllerToBroker = MetadataUpdateMessage;

/** An admin reply as it crosses a broker's channel (packed-reply.ts): its field `list`, an array, packed in chunks; its other fields as they are. */
export interface PackedAdminReply {
  readonly list: string;
  readonly packed: readonly Uint8Array[];
  readonly fields: Readonly<Record<string, unknown>>;
}

/** The controller's replies as a broker's channel carries them: an admin reply packed, `unpackAdminReply` reads it. */
export type ControllerChannelReplies = Pick<ControllerReplies, UnpackedReplyType> & Record<Exclude<keyof ControllerReplies, UnpackedReplyType>, PackedAdminReply>;

/** The requests between a broker and the controller whose replies cross the channel as they are: small, and not admin results. */
export const UNPACKED_REPLY_TYPES = ['BrokerRegistration', 'BrokerHeartbeat', 'AlterPartition', 'ControlledShutdown', 'AllocateProducerIds'] as const;
export type UnpackedReplyType = (typeof UNPACKED_REPLY_TYPES)[number];
