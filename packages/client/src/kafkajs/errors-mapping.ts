import {
  KafkaClientError,
  KafkaClosedError,
  KafkaConfigError,
  KafkaConnectionError,
  KafkaProtocolError,
  KafkaRetriesExhaustedError,
  KafkaTimeoutError,
  KafkaUnsupportedVersionError,
} from '../errors/index.js';
import { KafkaProducerFencedError, KafkaTransactionAbortedError, KafkaTransactionStateError } from '../producer/index.js';
import {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSOffsetOutOfRange,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSServerDoesNotSupportApiKey,
} from './errors.js';

// kafkajs names five codes by their pre-KIP-392 / pre-coordinator-rename
// Kafka names; a program that tests `e.type` expects those.
const KAFKAJS_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [-1, 'UNKNOWN'],
  [6, 'NOT_LEADER_FOR_PARTITION'],
  [14, 'GROUP_LOAD_IN_PROGRESS'],
  [15, 'GROUP_COORDINATOR_NOT_AVAILABLE'],
  [16, 'NOT_COORDINATOR_FOR_GROUP'],
]);

/** kafkajs's `type` for a Kafka error code whose Kafka name is `kafkaName`. */
function kafkajsErrorType(code: number, kafkaName: string): string {
  return KAFKAJS_TYPE_NAMES.get(code) ?? kafkaName;
}

/** The fields KafkaJSProtocolError takes, for our protocol error. */
export function kafkajsProtocolFields(error: KafkaProtocolError): { message: string; type: string; code: number; retriable: boolean } {
  return { message: error.message, type: kafkajsErrorType(error.code, error.errorName), code: error.code, retriable: error.retriable };
}

/** Our protocol error as kafkajs's, with kafkajs's type name. */
export function toKafkaJSProtocolError(error: KafkaProtocolError): KafkaJSProtocolError {
  const protocol = kafkajsProtocolFields(error);
  if (error.errorName === 'OFFSET_OUT_OF_RANGE' && error.topic !== undefined && error.partition !== undefined) {
    return new KafkaJSOffsetOutOfRange(protocol, { topic: error.topic, partition: error.partition, cause: error });
  }
  return new KafkaJSProtocolError(protocol, { cause: error });
}

/**
 * Any error the client raised, as the kafkajs error a kafkajs program
 * expects. kafkajs errors pass through; errors the client did not raise
 * (an application handler's throw) pass through unchanged too.
 */
export function toKafkaJSError(error: unknown): unknown {
  if (error instanceof KafkaJSError || !(error instanceof KafkaClientError)) return error;
  if (error instanceof KafkaProtocolError) return toKafkaJSProtocolError(error);
  if (error instanceof KafkaProducerFencedError) {
    // kafkajs names both fencing codes by their Kafka names and never retries them (INVALID_PRODUCER_EPOCH included).
    return new KafkaJSProtocolError({ message: error.message, type: error.errorName, code: error.code, retriable: false }, { cause: error });
  }
  if (error instanceof KafkaTransactionStateError || error instanceof KafkaTransactionAbortedError) {
    return new KafkaJSNonRetriableError(error.message, { cause: error });
  }
  if (error instanceof KafkaConnectionError) {
    return new KafkaJSConnectionError(error.message, { broker: brokerIn(error.message), cause: error });
  }
  if (error instanceof KafkaTimeoutError) {
    return new KafkaJSRequestTimeoutError(error.message, { broker: brokerIn(error.message), cause: error });
  }
  if (error instanceof KafkaRetriesExhaustedError) {
    return new KafkaJSNumberOfRetriesExceeded(error.message, { retryCount: error.attempts, retryTime: 0, cause: error });
  }
  if (error instanceof KafkaUnsupportedVersionError) {
    return new KafkaJSServerDoesNotSupportApiKey(error.message, { cause: error });
  }
  if (error instanceof KafkaConfigError || error instanceof KafkaClosedError) {
    return new KafkaJSNonRetriableError(error.message, { cause: error });
  }
  return new KafkaJSError(error.message, { retriable: error.retriable, cause: error });
}

/**
 * What kafkajs's retrier makes of a retriable error it could not get past:
 * KafkaJSNumberOfRetriesExceeded, the error as its cause. The client has
 * retried already (within its deadline), so a retriable error that
 * reaches a kafkajs program is one retries did not cure.
 */
export function afterRetries(error: unknown, retries: number): unknown {
  if (!(error instanceof KafkaJSError) || !error.retriable) return error;
  return new KafkaJSNumberOfRetriesExceeded(error, { retryCount: retries, retryTime: 0, cause: error });
}

/** Rethrows `error` as kafkajs's. */
export function rethrowAsKafkaJS(error: unknown): never {
  throw toKafkaJSError(error);
}

// Our connection and timeout messages name the broker as "host:port"; kafkajs
// puts that address in the error's `broker` field.
function brokerIn(message: string): string | undefined {
  return /(\[[^\]]+\]|[\w.-]+):(\d+)/.exec(message)?.[0];
}
