import { AdminBatchError, KafkaGroupNotEmptyError } from '../admin/index.js';
import { KafkaProtocolError } from '../errors/index.js';
import { KafkaJSAggregateError, KafkaJSCreateTopicError, KafkaJSDeleteGroupsError, KafkaJSDeleteTopicRecordsError, KafkaJSError, KafkaJSNonRetriableError } from './errors.js';
import { kafkajsProtocolFields, toKafkaJSError } from './errors-mapping.js';

/**
 * An Admin failure as kafkajs reports it: kafkajs stops at the first
 * failed item of a request, so the first failure of an AdminBatchError is
 * what it throws; a group with members is kafkajs's "must have no running
 * instances".
 */
export function toKafkaJSAdminError(error: unknown): unknown {
  if (error instanceof AdminBatchError && error.failures.length > 0) return toKafkaJSError(error.failures[0]!.error);
  if (error instanceof KafkaGroupNotEmptyError) {
    return new KafkaJSNonRetriableError(`The consumer group must have no running instances, current state: ${error.state}`, { cause: error });
  }
  return toKafkaJSError(error);
}

export function rethrowAsKafkaJSAdmin(error: unknown): never {
  throw toKafkaJSAdminError(error);
}

/** kafkajs's protocol-error fields of one failed item. */
function protocolFields(error: unknown): { message: string; type: string; code: number; retriable: boolean } {
  if (error instanceof KafkaProtocolError) return kafkajsProtocolFields(error);
  const message = error instanceof Error ? error.message : String(error);
  return { message, type: 'UNKNOWN', code: -1, retriable: (error as { retriable?: boolean })?.retriable ?? false };
}

/**
 * createTopics' failures as kafkajs's: resolves false when every failure is
 * TOPIC_ALREADY_EXISTS (kafkajs's "nothing was created"), else rejects
 * with KafkaJSAggregateError of one KafkaJSCreateTopicError per topic.
 */
export function createTopicsOutcome(error: unknown): false {
  if (!(error instanceof AdminBatchError)) throw toKafkaJSAdminError(error);
  const failures = error.failures;
  if (failures.every((f) => f.error instanceof KafkaProtocolError && f.error.errorName === 'TOPIC_ALREADY_EXISTS')) return false;
  throw new KafkaJSAggregateError(
    'Topic creation errors',
    failures.map((f) => new KafkaJSCreateTopicError(protocolFields(f.error), (f.error as KafkaProtocolError).topic ?? f.item, { cause: f.error })),
  );
}

/** deleteGroups' failures as kafkajs's KafkaJSDeleteGroupsError, listing each failed group. */
export function deleteGroupsError(error: unknown): unknown {
  if (!(error instanceof AdminBatchError)) return toKafkaJSAdminError(error);
  const groups = error.failures.map((f) => {
    const groupId = (f.error as KafkaProtocolError).groupId ?? f.item.replace(/^group /, '');
    return { groupId, errorCode: protocolFields(f.error).code, error: itemError(f.error) };
  });
  return new KafkaJSDeleteGroupsError('Error in DeleteGroups', groups);
}

/** deleteTopicRecords' failures as kafkajs's KafkaJSDeleteTopicRecordsError, one entry per failed partition. */
export function deleteRecordsError(error: unknown, topic: string, offsets: ReadonlyMap<number, string>): unknown {
  if (!(error instanceof AdminBatchError)) return toKafkaJSAdminError(error);
  const partitions = error.failures.map((f) => {
    const partition = (f.error as KafkaProtocolError).partition ?? Number(/-(\d+)$/.exec(f.item)?.[1] ?? -1);
    return { partition, offset: offsets.get(partition) ?? '-1', error: itemError(f.error) };
  });
  return new KafkaJSDeleteTopicRecordsError({ topic, partitions });
}

/** One failed item's error as a KafkaJSError, which kafkajs's per-item lists hold. */
function itemError(error: unknown): KafkaJSError {
  const mapped = toKafkaJSError(error);
  return mapped instanceof KafkaJSError ? mapped : new KafkaJSError(String(error));
}
