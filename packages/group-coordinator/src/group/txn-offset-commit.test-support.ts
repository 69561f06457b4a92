import { encodeEndTxnMarkerBatch, type RequestOf, type TxnOffsetCommit } from '@kstream/protocol';
import type { CoordinatorFixture } from './group-coordinator.test-support.js';

export interface TxnCommitOptions {
  producerEpoch?: number;
  generation?: number;
  memberId?: string;
  groupInstanceId?: string | null;
  metadata?: string | null;
  leaderEpoch?: number;
}

/** TxnOffsetCommit of `offsets` ("topic" → partition → offset) by `producerId`, without consumer metadata unless given. */
export function txnCommitRequest(
  groupId: string,
  producerId: bigint,
  offsets: Record<string, Record<number, bigint>>,
  options: TxnCommitOptions = {},
): RequestOf<typeof TxnOffsetCommit> {
  return {
    transactionalId: `txn-${producerId}`,
    groupId,
    producerId,
    producerEpoch: options.producerEpoch ?? 0,
    generationId: options.generation ?? -1,
    memberId: options.memberId ?? '',
    groupInstanceId: options.groupInstanceId ?? null,
    topics: Object.entries(offsets).map(([name, partitions]) => ({
      name,
      partitions: Object.entries(partitions).map(([partition, offset]) => ({
        partitionIndex: Number(partition),
        committedOffset: offset,
        committedLeaderEpoch: options.leaderEpoch ?? -1,
        committedMetadata: options.metadata === undefined ? '' : options.metadata,
      })),
    })),
  };
}

/**
 * What the broker does when the transaction coordinator's marker reaches
 * __consumer_offsets-`partition`: appends the control batch at the leader
 * epoch, then tells the group coordinator.
 */
export async function writeMarker(
  fixture: CoordinatorFixture,
  producerId: bigint,
  commit: boolean,
  { partition = 0, leaderEpoch = 0 }: { partition?: number; leaderEpoch?: number } = {},
): Promise<void> {
  const batch = await encodeEndTxnMarkerBatch({ commit, producerId, producerEpoch: 0, coordinatorEpoch: 0, timestamp: 1 });
  const { errorCode } = await fixture.log.append(partition, leaderEpoch, batch);
  if (errorCode !== 0) throw new Error(`writing the marker of producer ${producerId} failed with error ${errorCode}`);
  fixture.coordinator.onTransactionCompleted(partition, producerId, commit);
}
