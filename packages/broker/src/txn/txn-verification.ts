// KIP-890 part 1 (Kafka 3.6+, transaction.partition.verification.enable):
// before a partition leader appends a transactional batch whose producer has
// no open transaction there, it asks the producer's transaction coordinator
// whether the partition is in the producer's ongoing transaction (Kafka's
// AddPartitionsToTxnManager, AddPartitionsToTxn v4 verifyOnly). The
// coordinator is the leader of the transactional id's __transaction_state
// partition: this broker's own TransactionCoordinator, or a peer's, asked
// over the pair's channel with a VerifyTxnPartitions message.
import { ActorError } from '@kstream/actor';
import { TRANSACTION_STATE_TOPIC } from '@kstream/metadata';
import { ErrorCode } from '@kstream/protocol';
import { coordinatorPartition } from '@kstream/group-coordinator';
import type { TopicPartitionRef, TxnMarkerResult, VerifyTxnPartitionsRequest } from '@kstream/transaction-coordinator';
import type { BrokerServices } from '../handlers/handler.js';

/** A leader asking the broker that coordinates a transactional id (the peer message; its reply is VerifyTxnPartitionsPeerReply). */
export interface VerifyTxnPartitionsPeerRequest extends VerifyTxnPartitionsRequest {
  readonly type: 'VerifyTxnPartitions';
}

export interface VerifyTxnPartitionsPeerReply {
  readonly results: readonly TxnMarkerResult[];
}

/** The coordinator's verdict on one partition for a producer's transactional batch, mapped to what the producer is answered. */
export interface TxnVerification {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

/** Asks whether `tp` is in the ongoing transaction of the producer (Produce's transactional id); resolves, never rejects. */
export type TxnVerifier = (tp: TopicPartitionRef, producerId: bigint, producerEpoch: number) => Promise<TxnVerification>;

/** The answer before this broker's transaction coordinator runs: retriable COORDINATOR_NOT_AVAILABLE for every partition. */
export function notCoordinating(request: VerifyTxnPartitionsRequest): TxnMarkerResult[] {
  return request.partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }));
}

/** How long a peer coordinator's answer is awaited: a cut link makes the produce retriable rather than hang. */
export const VERIFY_TIMEOUT_MS = 5_000;

/** What the coordinator answers that the producer should retry (Kafka maps these to NOT_ENOUGH_REPLICAS at verification). */
const RETRIABLE = new Set<number>([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.CONCURRENT_TRANSACTIONS,
  ErrorCode.REQUEST_TIMED_OUT,
]);

/**
 * The verifier of a Produce's transactional batches, or undefined when none
 * is needed: no transactional id, or transaction.partition.verification.enable
 * false (batches then open transactions unverified, as before Kafka 3.6).
 */
export function produceVerifier(services: BrokerServices, transactionalId: string | null): TxnVerifier | undefined {
  if (transactionalId === null || !services.config['transaction.partition.verification.enable']) return undefined;
  return async (tp, producerId, producerEpoch) => {
    const request: VerifyTxnPartitionsRequest = { transactionalId, producerId, producerEpoch, partitions: [tp] };
    const errorCode = await askCoordinator(services, request);
    return mapped(errorCode, request, tp);
  };
}

async function askCoordinator(services: BrokerServices, request: VerifyTxnPartitionsRequest): Promise<number> {
  const { metadata } = services;
  const count = metadata.topicByName(TRANSACTION_STATE_TOPIC)?.partitions.length;
  if (count === undefined) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  const leader = metadata.leaderFor(TRANSACTION_STATE_TOPIC, coordinatorPartition(request.transactionalId, count));
  if (leader === undefined || leader < 0) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (leader === services.brokerId) return services.transactions.verifyPartitions(request)[0]!.errorCode;
  const message: VerifyTxnPartitionsPeerRequest = { type: 'VerifyTxnPartitions', ...request };
  try {
    const reply = (await services.peers.ask(leader, message, { timeoutMs: VERIFY_TIMEOUT_MS })) as VerifyTxnPartitionsPeerReply;
    return reply.results[0]?.errorCode ?? ErrorCode.COORDINATOR_NOT_AVAILABLE;
  } catch (error) {
    const timedOut = error instanceof ActorError && error.code === 'TIMEOUT';
    services.logger.warn(
      `broker ${services.brokerId}: broker ${leader} did not answer the verification of producer ${request.producerId} ` +
        `(transactional id ${request.transactionalId})` +
        (timedOut ? ` within ${VERIFY_TIMEOUT_MS} ms` : ''),
      { error },
    );
    return timedOut ? ErrorCode.REQUEST_TIMED_OUT : ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }
}

/**
 * Kafka 3.6+'s answers to the producer: retriable coordinator trouble is
 * NOT_ENOUGH_REPLICAS; PRODUCER_FENCED is INVALID_PRODUCER_EPOCH; a partition
 * not in the ongoing transaction (TRANSACTION_ABORTABLE, which Produce v11
 * clients do not know) is INVALID_TXN_STATE; others as the coordinator said.
 */
function mapped(errorCode: number, request: VerifyTxnPartitionsRequest, tp: TopicPartitionRef): TxnVerification {
  if (errorCode === ErrorCode.NONE) return { errorCode, errorMessage: null };
  const who = `producer ${request.producerId} (epoch ${request.producerEpoch}, transactional id ${request.transactionalId})`;
  const where = `${tp.topic}-${tp.partition}`;
  if (RETRIABLE.has(errorCode)) {
    return { errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, errorMessage: `${where}: could not verify the transaction of ${who} with its coordinator (error ${errorCode}); retry` };
  }
  if (errorCode === ErrorCode.PRODUCER_FENCED) return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, errorMessage: `${where}: ${who} is fenced by its coordinator` };
  if (errorCode === ErrorCode.TRANSACTION_ABORTABLE || errorCode === ErrorCode.INVALID_TXN_STATE) {
    return { errorCode: ErrorCode.INVALID_TXN_STATE, errorMessage: `${where} was not added to the ongoing transaction of ${who}` };
  }
  return { errorCode, errorMessage: `${where}: the transaction coordinator refused the transactional batch of ${who} (error ${errorCode})` };
}

/** RecordBatch v2 header offsets (Kafka's DefaultRecordBatch): magic, attributes, producer id and epoch. */
const MAGIC_OFFSET = 16;
const ATTRIBUTES_OFFSET = 21;
const PRODUCER_ID_OFFSET = 43;
const PRODUCER_EPOCH_OFFSET = 51;
const HEADER_SIZE = 61;
const TRANSACTIONAL_FLAG = 0x10;
const CONTROL_FLAG = 0x20;

/**
 * The producer of the first batch of `records` when it is a transactional
 * data batch (attributes bit 0x10; a Produce carries one batch per producer
 * per partition), else undefined.
 */
export function transactionalProducer(records: Buffer): { producerId: bigint; producerEpoch: number } | undefined {
  if (records.length < HEADER_SIZE || records.readInt8(MAGIC_OFFSET) !== 2) return undefined;
  const attributes = records.readInt16BE(ATTRIBUTES_OFFSET);
  if ((attributes & TRANSACTIONAL_FLAG) === 0 || (attributes & CONTROL_FLAG) !== 0) return undefined;
  return { producerId: records.readBigInt64BE(PRODUCER_ID_OFFSET), producerEpoch: records.readInt16BE(PRODUCER_EPOCH_OFFSET) };
}
