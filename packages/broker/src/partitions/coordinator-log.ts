// A coordinator's view of its own topic on this broker (Kafka's
// CoordinatorPartitionWriter over its ReplicaManager): __consumer_offsets for
// the group coordinator, __transaction_state for the transaction coordinator.
// The partitions this broker leads, written as leader in the coordinator's
// epoch with acks=all and origin 'coordinator' (producer epochs checked,
// sequences not), and read back whole — up to the leader's own log end
// offset, not the high watermark — when a coordinator loads one.
import type { CoordinatorLog } from '@kstream/group-coordinator';
import { ErrorCode } from '@kstream/protocol';
import { PartitionError, type Partition } from '@kstream/replication';
import type { TransactionLog } from '@kstream/transaction-coordinator';
import type { ReplicaManager } from './replica-manager.js';

/**
 * `partitions`' `topic` as a coordinator's log. An append waits for the ISR
 * at most `appendTimeoutMs()` (read per append) and resolves with Kafka's
 * error code, never rejects.
 */
export function coordinatorLog(partitions: ReplicaManager, topic: string, appendTimeoutMs: () => number): CoordinatorLog & TransactionLog {
  const led = (partition: number): Partition | undefined => {
    const hosted = partitions.partition(topic, partition);
    return hosted?.isLeader === true ? hosted : undefined;
  };
  return {
    async append(partition, leaderEpoch, batch) {
      const { errorCode, errorMessage } = await partitions.appendRecords(topic, partition, batch, -1, appendTimeoutMs(), leaderEpoch, 'coordinator');
      return { errorCode, errorMessage };
    },
    logEndOffset: (partition) => led(partition)?.logEndOffset,
    logStartOffset: (partition) => led(partition)?.logStartOffset,
    async read(partition, offset, maxBytes) {
      const leader = led(partition);
      if (leader === undefined) {
        throw new PartitionError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Broker ${partitions.brokerId} does not lead ${topic}-${partition}`);
      }
      const { records } = await leader.log.read(offset, { maxBytes, minOneMessage: true });
      return records;
    },
  };
}
