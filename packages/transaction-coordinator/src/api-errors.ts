import { ErrorCode } from '@kstream/protocol';

// PRODUCER_FENCED came with KIP-588 (Kafka 2.7): InitProducerId v4,
// AddPartitionsToTxn v2, AddOffsetsToTxn v2 and EndTxn v2 carry it; older
// versions get INVALID_PRODUCER_EPOCH, which older clients treat as fatal the
// same way (Kafka's KafkaApis does this mapping per request).

export const PRODUCER_FENCED_SINCE = {
  InitProducerId: 4,
  AddPartitionsToTxn: 2,
  AddOffsetsToTxn: 2,
  EndTxn: 2,
} as const;

export function fencedForVersion(errorCode: number, apiVersion: number, since: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && apiVersion < since ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode;
}
