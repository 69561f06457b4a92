// kafkajs 2.x's error classes, by the names and fields kafkajs exports, so a
// program that tests `e instanceof KafkaJSProtocolError`, `e.type`,
// `e.retriable` or `e.name` keeps working. Our own errors are turned into
// these by toKafkaJSError (errors-mapping.ts); each keeps ours as `cause`.

export interface KafkaJSErrorMetadata {
  retriable?: boolean;
  topic?: string;
  partitionId?: number;
  cause?: unknown;
}

function messageOf(e: Error | string): string {
  return typeof e === 'string' ? e : e.message;
}

export class KafkaJSError extends Error {
  override readonly name: string = 'KafkaJSError';
  readonly retriable: boolean;
  readonly helpUrl?: string;

  constructor(e: Error | string, metadata: KafkaJSErrorMetadata = {}) {
    super(messageOf(e), metadata.cause === undefined ? undefined : { cause: metadata.cause });
    this.retriable = metadata.retriable ?? true;
  }
}

export class KafkaJSNonRetriableError extends KafkaJSError {
  override readonly name: string = 'KafkaJSNonRetriableError';
  constructor(e: Error | string, metadata: { cause?: unknown } = {}) {
    super(e, { retriable: false, cause: metadata.cause });
  }
}

/** An error code in a Kafka response; `type` is kafkajs's name for the code. */
export class KafkaJSProtocolError extends KafkaJSError {
  override readonly name: string = 'KafkaJSProtocolError';
  readonly type: string;
  readonly code: number;
  constructor(e: Error | string | { message: string; type: string; code: number; retriable: boolean }, metadata: { cause?: unknown } = {}) {
    const protocol = typeof e === 'object' && 'type' in e ? e : undefined;
    super(typeof e === 'object' ? e.message : e, { retriable: protocol?.retriable ?? false, cause: metadata.cause });
    this.type = protocol?.type ?? 'UNKNOWN';
    this.code = protocol?.code ?? -1;
  }
}

export class KafkaJSOffsetOutOfRange extends KafkaJSProtocolError {
  override readonly name: string = 'KafkaJSOffsetOutOfRange';
  readonly topic: string;
  readonly partition: number;
  constructor(e: ConstructorParameters<typeof KafkaJSProtocolError>[0], metadata: { topic: string; partition: number; cause?: unknown }) {
    super(e, metadata);
    this.topic = metadata.topic;
    this.partition = metadata.partition;
  }
}

export class KafkaJSCreateTopicError extends KafkaJSProtocolError {
  override readonly name: string = 'KafkaJSCreateTopicError';
  readonly topic: string;
  constructor(e: ConstructorParameters<typeof KafkaJSProtocolError>[0], topic: string, metadata: { cause?: unknown } = {}) {
    super(e, metadata);
    this.topic = topic;
  }
}

export class KafkaJSAlterPartitionReassignmentsError extends KafkaJSProtocolError {
  override readonly name: string = 'KafkaJSAlterPartitionReassignmentsError';
  readonly topic?: string;
  readonly partition?: number;
  constructor(e: ConstructorParameters<typeof KafkaJSProtocolError>[0], topic?: string, partition?: number) {
    super(e);
    this.topic = topic;
    this.partition = partition;
  }
}

export class KafkaJSNumberOfRetriesExceeded extends KafkaJSNonRetriableError {
  override readonly name: string = 'KafkaJSNumberOfRetriesExceeded';
  readonly retryCount: number;
  readonly retryTime: number;
  constructor(e: Error | string, metadata: { retryCount: number; retryTime: number; cause?: unknown }) {
    super(e, { cause: metadata.cause ?? (typeof e === 'string' ? undefined : e) });
    this.retryCount = metadata.retryCount;
    this.retryTime = metadata.retryTime;
  }
}

export class KafkaJSConnectionError extends KafkaJSError {
  override readonly name: string = 'KafkaJSConnectionError';
  readonly broker?: string;
  readonly code?: string;
  constructor(e: Error | string, metadata: { broker?: string; code?: string; cause?: unknown } = {}) {
    super(e, { cause: metadata.cause });
    this.broker = metadata.broker;
    this.code = metadata.code;
  }
}

export class KafkaJSConnectionClosedError extends KafkaJSConnectionError {
  override readonly name: string = 'KafkaJSConnectionClosedError';
  readonly host?: string;
  readonly port?: number;
  constructor(e: Error | string, metadata: { host?: string; port?: number; cause?: unknown } = {}) {
    super(e, { broker: `${metadata.host}:${metadata.port}`, cause: metadata.cause });
    this.host = metadata.host;
    this.port = metadata.port;
  }
}

export class KafkaJSRequestTimeoutError extends KafkaJSError {
  override readonly name: string = 'KafkaJSRequestTimeoutError';
  readonly broker?: string;
  readonly correlationId?: number;
  readonly createdAt?: number;
  readonly sentAt?: number;
  readonly pendingDuration?: number;
  constructor(e: Error | string, metadata: { broker?: string; correlationId?: number; createdAt?: number; sentAt?: number; pendingDuration?: number; cause?: unknown } = {}) {
    super(e, { cause: metadata.cause });
    this.broker = metadata.broker;
    this.correlationId = metadata.correlationId;
    this.createdAt = metadata.createdAt;
    this.sentAt = metadata.sentAt;
    this.pendingDuration = metadata.pendingDuration;
  }
}

export class KafkaJSMetadataNotLoaded extends KafkaJSError {
  override readonly name: string = 'KafkaJSMetadataNotLoaded';
}

export class KafkaJSTopicMetadataNotLoaded extends KafkaJSMetadataNotLoaded {
  override readonly name: string = 'KafkaJSTopicMetadataNotLoaded';
  readonly topic?: string;
  constructor(e: Error | string, metadata: { topic?: string; cause?: unknown } = {}) {
    super(e, { cause: metadata.cause });
    this.topic = metadata.topic;
  }
}

export class KafkaJSStaleTopicMetadataAssignment extends KafkaJSError {
  override readonly name: string = 'KafkaJSStaleTopicMetadataAssignment';
  readonly topic?: string;
  readonly unknownPartitions?: unknown;
  constructor(e: Error | string, metadata: { topic?: string; unknownPartitions?: unknown } = {}) {
    super(e);
    this.topic = metadata.topic;
    this.unknownPartitions = metadata.unknownPartitions;
  }
}

export class KafkaJSServerDoesNotSupportApiKey extends KafkaJSNonRetriableError {
  override readonly name: string = 'KafkaJSServerDoesNotSupportApiKey';
  readonly apiKey?: number;
  readonly apiName?: string;
  constructor(e: Error | string, metadata: { apiKey?: number; apiName?: string; cause?: unknown } = {}) {
    super(e, { cause: metadata.cause });
    this.apiKey = metadata.apiKey;
    this.apiName = metadata.apiName;
  }
}

export class KafkaJSBrokerNotFound extends KafkaJSError {
  override readonly name: string = 'KafkaJSBrokerNotFound';
}

export class KafkaJSNoBrokerAvailableError extends KafkaJSError {
  override readonly name: string = 'KafkaJSNoBrokerAvailableError';
  constructor(metadata: { cause?: unknown } = {}) {
    super('No broker available', metadata);
  }
}

export class KafkaJSPartialMessageError extends KafkaJSNonRetriableError {
  override readonly name: string = 'KafkaJSPartialMessageError';
}

export class KafkaJSSASLAuthenticationError extends KafkaJSNonRetriableError {
  override readonly name: string = 'KafkaJSSASLAuthenticationError';
}

export class KafkaJSGroupCoordinatorNotFound extends KafkaJSNonRetriableError {
  override readonly name: string = 'KafkaJSGroupCoordinatorNotFound';
}

export class KafkaJSNotImplemented extends KafkaJSNonRetriableError {
  override readonly name: string = 'KafkaJSNotImplemented';
}

export class KafkaJSTimeout extends KafkaJSNonRetriableError {
  override readonly name: string = 'KafkaJSTimeout';
}

export class KafkaJSLockTimeout extends KafkaJSTimeout {
  override readonly name: string = 'KafkaJSLockTimeout';
}

export class KafkaJSUnsupportedMagicByteInMessageSet extends KafkaJSNonRetriableError {
  override readonly name: string = 'KafkaJSUnsupportedMagicByteInMessageSet';
}

export class KafkaJSInvariantViolation extends KafkaJSNonRetriableError {
  override readonly name: string = 'KafkaJSInvariantViolation';
}

/** A malformed varint or int64 in a response; kafkajs names both KafkaJSNonRetriableError. */
export class KafkaJSInvalidVarIntError extends KafkaJSNonRetriableError {}
export class KafkaJSInvalidLongError extends KafkaJSNonRetriableError {}

export class KafkaJSMemberIdRequired extends KafkaJSProtocolError {
  override readonly name: string = 'KafkaJSMemberIdRequired';
}

export class KafkaJSFetcherRebalanceError extends Error {}

export interface KafkaJSDeleteGroupsErrorGroups {
  groupId: string;
  errorCode: number;
  error: KafkaJSError;
}

export class KafkaJSDeleteGroupsError extends KafkaJSError {
  override readonly name: string = 'KafkaJSDeleteGroupsError';
  readonly groups: KafkaJSDeleteGroupsErrorGroups[];
  constructor(e: Error | string, groups: KafkaJSDeleteGroupsErrorGroups[] = []) {
    super(e);
    this.groups = groups;
  }
}

export interface KafkaJSDeleteTopicRecordsErrorPartition {
  partition: number;
  offset: string;
  error: KafkaJSError;
}

export interface KafkaJSDeleteTopicRecordsErrorTopic {
  topic: string;
  partitions: KafkaJSDeleteTopicRecordsErrorPartition[];
}

export class KafkaJSDeleteTopicRecordsError extends KafkaJSError {
  override readonly name: string = 'KafkaJSDeleteTopicRecordsError';
  readonly partitions: KafkaJSDeleteTopicRecordsErrorPartition[];
  constructor(metadata: KafkaJSDeleteTopicRecordsErrorTopic) {
    // Retriable only if every partition's error is, as kafkajs decides it.
    const retriable = metadata.partitions.every((p) => p.error.retriable);
    super(`Error while deleting records from topic ${metadata.topic}`, { retriable });
    this.partitions = metadata.partitions;
  }
}

export class KafkaJSAggregateError extends Error {
  override readonly name: string = 'KafkaJSAggregateError';
  readonly errors: (Error | string)[];
  constructor(message: Error | string, errors: (Error | string)[]) {
    super(messageOf(message));
    this.errors = errors;
  }
}
