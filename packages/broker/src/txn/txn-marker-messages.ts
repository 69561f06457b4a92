// What one broker asks another to end transactions on the partitions it
// leads: the transaction markers a coordinator writes (Kafka sends them as
// WriteTxnMarkers requests between brokers; kstream over the pair's channel).
// Plain objects, msgpack-able; producer ids are bigints (the actor codec
// keeps them).
import type { TxnMarkerEntry, TxnMarkerResult } from '@kstream/transaction-coordinator';

/** Writes each marker to each of its partitions the asked broker leads (ReplicaManager.writeTxnMarkers). */
export interface WriteTxnMarkersPeerRequest {
  readonly type: 'WriteTxnMarkers';
  readonly markers: readonly TxnMarkerEntry[];
}

/** One partition's answer to one marker: Kafka's error code (NONE once written and replicated). */
export interface WriteTxnMarkersPeerResult extends TxnMarkerResult {
  readonly producerId: bigint;
}

export interface WriteTxnMarkersPeerReply {
  /** Marker by marker, partition by partition, in the order asked. */
  readonly results: readonly WriteTxnMarkersPeerResult[];
}
