// Produce v3–11 (v0–11 advertised)
// - ApiVersions claims v0–2 too, as Kafka 4 does (KAFKA-18659), so that
//   librdkafka < 2.8 enables gzip and snappy; a v0–2 request still closes
//   its connection, as any unsupported version does.
// - acks must be -1, 0 or 1; any other value fails every partition with
//   INVALID_REQUIRED_ACKS.
// - Each partition is answered on its own; one partition's failure never
//   stops the others: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER
//   (v10+: with the leader this broker knows, and its endpoint),
//   MESSAGE_TOO_LARGE (a batch over max.message.bytes), CORRUPT_MESSAGE
//   (CRC, magic or length), INVALID_RECORD (no batch at all, or more than
//   one batch of a producer id in one partition's records),
//   NOT_ENOUGH_REPLICAS (acks=-1 with an ISR below min.insync.replicas),
//   KAFKA_STORAGE_ERROR. v8+ carries the error's message.
// - The internal topics (__consumer_offsets, __transaction_state) are
//   written by their coordinators only: a client's batch for them is
//   INVALID_TOPIC_EXCEPTION, as Kafka answers.
// - Batches are stored as sent, never decoded: only the base offset, the
//   partition leader epoch (and, under LogAppendTime, the max timestamp and
//   CRC) are rewritten.
// - Idempotence: a batch with a producer id must continue its producer's
//   sequence on the partition (the next after its last, from 0 at a new
//   epoch): a gap is OUT_OF_ORDER_SEQUENCE_NUMBER, an older epoch than the
//   producer's INVALID_PRODUCER_EPOCH. A retry of one of the producer's last
//   5 batches (same epoch and sequences) is a duplicate: NONE with the
//   original's base offset, nothing written. A producer the partition has
//   no state for (new, expired after producer.id.expiration.ms, or whose
//   batches retention removed) is accepted at any sequence.
// - Transactions: transactional batches are stored as sent and start or
//   continue their producer's transaction on the partition, which
//   read_committed consumers do not read past until its marker (the
//   transaction coordinator's WriteTxnMarkers) is written; a
//   non-transactional batch of a producer with an open transaction there is
//   INVALID_TXN_STATE. With transaction.partition.verification.enable (default
//   true, KIP-890), a transactional batch whose producer has no open
//   transaction on the partition is first verified with the transactional
//   id's coordinator: a partition not in the ongoing transaction (a late batch
//   after an abort) is INVALID_TXN_STATE, a fenced producer
//   INVALID_PRODUCER_EPOCH, a coordinator moving or loading
//   NOT_ENOUGH_REPLICAS (retriable).
// - acks=-1 answers once the high watermark covers the batches (at once with
//   one replica), or REQUEST_TIMED_OUT after timeoutMs.
// - acks=0 sends no response once the appends are done; if a partition
//   failed the connection is closed instead, as Kafka does, so the producer
//   notices.
import { INTERNAL_TOPICS } from '@kstream/metadata';
import { ErrorCode, Produce, type ResponseOf } from '@kstream/protocol';
import { leaderEndpoints } from '../partitions/leader-endpoints.js';
import type { AppendResult } from '../partitions/replica-manager.js';
import type { BrokerMetadata } from '../metadata/broker-metadata.js';
import { produceVerifier } from '../txn/txn-verification.js';
import { NO_RESPONSE, type ApiHandler } from './handler.js';

type ProduceResponse = ResponseOf<typeof Produce>;
type PartitionResponse = ProduceResponse['responses'][number]['partitionResponses'][number];

const VALID_ACKS = new Set([-1, 0, 1]);

export const produceHandler: ApiHandler<typeof Produce> = {
  api: Produce,
  versions: '3-11',
  // KAFKA-18659: librdkafka before 2.8 enables gzip and snappy only when the
  // broker's Produce range intersects v0–2 (librdkafka #4956); Kafka 4 keeps
  // advertising them while refusing them (KIP-896 removed v0–2).
  advertisedVersions: '0-11',
  async handle(request, { broker }) {
    const replicas = broker.partitions;
    const { acks, timeoutMs } = request;
    const verifier = produceVerifier(broker, request.transactionalId);
    const responses = await Promise.all(
      request.topicData.map(async ({ name, partitionData }) => ({
        name,
        partitionResponses: await Promise.all(
          partitionData.map(async ({ index, records }): Promise<PartitionResponse> => {
            const result = !VALID_ACKS.has(acks)
              ? failed(ErrorCode.INVALID_REQUIRED_ACKS, `acks=${acks} is not one of -1, 0, 1`)
              : INTERNAL_TOPICS.has(name)
                ? failed(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${name}`)
                : records === null || records.length === 0
                  ? failed(ErrorCode.INVALID_RECORD, `Produce to ${name}-${index} carries no record batch`)
                  : await replicas.appendRecords(name, index, records, acks, timeoutMs, undefined, 'client', verifier);
            return partitionResponse(index, result, broker.metadata, name);
          }),
        ),
      })),
    );
    if (acks === 0) {
      const failures = responses.flatMap((t) => t.partitionResponses.filter((p) => p.errorCode !== 0).map((p) => `${t.name}-${p.index}: ${p.errorMessage}`));
      if (failures.length > 0) throw new Error(`Produce with acks=0 failed; closing the connection so the producer notices: ${failures.join('; ')}`);
      return NO_RESPONSE;
    }
    const leaderIds = responses.flatMap((t) => t.partitionResponses.map((p) => p.currentLeader.leaderId));
    return { responses, throttleTimeMs: 0, nodeEndpoints: leaderEndpoints(leaderIds, broker.metadata) };
  },
};

function failed(errorCode: number, errorMessage: string): AppendResult {
  return { errorCode, errorMessage, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n };
}

function partitionResponse(index: number, result: AppendResult, metadata: BrokerMetadata, topic: string): PartitionResponse {
  const leader = result.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER ? metadata.partition(topic, index) : undefined;
  return {
    index,
    errorCode: result.errorCode,
    baseOffset: result.baseOffset,
    logAppendTimeMs: result.logAppendTimeMs,
    logStartOffset: result.logStartOffset,
    recordErrors: [],
    errorMessage: result.errorMessage,
    currentLeader: { leaderId: leader?.leader ?? -1, leaderEpoch: leader?.leaderEpoch ?? -1 },
  };
}
