// WriteTxnMarkers v0–1
// - Writes each marker (commit or abort of one producer's transaction) as
//   a control batch to each listed partition this broker leads, acks=all:
//   a partition is answered once the marker is replicated, at most
//   offsets.commit.timeout.ms. Kafka's coordinators send this to the
//   partitions' leaders; kstream's route markers over the brokers' peer
//   channels to the same ReplicaManager function, so this is the same
//   write for any client that sends it.
// - Per marker and partition: NOT_LEADER_OR_FOLLOWER,
//   UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS (the ISR below
//   min.insync.replicas), REQUEST_TIMED_OUT, INVALID_PRODUCER_EPOCH (the
//   partition knows a newer epoch of the producer),
//   TRANSACTION_COORDINATOR_FENCED (a newer coordinator epoch), KAFKA_STORAGE_ERROR.
// - A marker written to __consumer_offsets completes the producer's pending
//   transactional offsets there (committed or dropped).
import { WriteTxnMarkers, type RequestOf, type ResponseOf } from '@kstream/protocol';
import type { TxnMarkerEntry } from '@kstream/transaction-coordinator';
import type { ApiHandler } from './handler.js';

type MarkerResponse = ResponseOf<typeof WriteTxnMarkers>['markers'][number];

export const writeTxnMarkersHandler: ApiHandler<typeof WriteTxnMarkers> = {
  api: WriteTxnMarkers,
  async handle(request, { broker }) {
    const markers = request.markers.map(markerEntry);
    const written = await broker.partitions.writeTxnMarkers(markers, broker.config['offsets.commit.timeout.ms']);
    return { markers: markers.map((marker, i): MarkerResponse => ({ producerId: marker.producerId, topics: byTopic(written[i]!) })) };
  },
};

function markerEntry(marker: RequestOf<typeof WriteTxnMarkers>['markers'][number]): TxnMarkerEntry {
  return {
    producerId: marker.producerId,
    producerEpoch: marker.producerEpoch,
    coordinatorEpoch: marker.coordinatorEpoch,
    commit: marker.transactionResult,
    partitions: marker.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition }))),
  };
}

/** Consecutive partitions of one topic share its entry, in the order asked. */
function byTopic(results: readonly { topic: string; partition: number; errorCode: number }[]): MarkerResponse['topics'] {
  const topics: MarkerResponse['topics'] = [];
  for (const { topic, partition, errorCode } of results) {
    let last = topics[topics.length - 1];
    if (last === undefined || last.name !== topic) topics.push((last = { name: topic, partitions: [] }));
    last.partitions.push({ partitionIndex: partition, errorCode });
  }
  return topics;
}
