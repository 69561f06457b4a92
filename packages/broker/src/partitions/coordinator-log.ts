// The group coordinator's view of __consumer_offsets on this broker (Kafka's
// CoordinatorPartitionWriter over its ReplicaManager): the partitions this
// broker leads, written as leader in the coordinator's epoch with acks=all,
// and read back whole — up to the leader's own log end offset, not the high
// watermark — when a coordinator loads one.
import type { CoordinatorLog } from '@kstream/group-coordinator';
import { GROUP_METADATA_TOPIC } from '@kstream/metadata';
import { ErrorCode } from '@kstream/protocol';
import { PartitionError, type Partition } from '@kstream/replication';
import type { ReplicaManager } from './replica-manager.js';


/**
 * `partitions`' __consumer_offsets as a CoordinatorLog. An append waits for
 * the ISR at most `commitTimeoutMs()` (offsets.commit.timeout.ms, read per
 * append) and resolves with Kafka's error code, never rejects.
 */
export function coordinatorLog(partitions: ReplicaManager, commitTimeoutMs: () => number): CoordinatorLog {
  const led = (partition: number): Partition | undefined => {
    const hosted = partitions.partition(GROUP_METADATA_TOPIC, partition);
    return hosted?.isLeader === true ? hosted : undefined;
  };
  return {
    async append(partition, leaderEpoch, batch) {
      const { errorCode, errorMessage } = await partitions.appendRecords(GROUP_METADATA_TOPIC, partition, batch, -1, commitTimeoutMs(), leaderEpoch);
      return { errorCode, errorMessage };
    },
    logEndOffset: (partition) => led(partition)?.logEndOffset,
    logStartOffset: (partition) => led(partition)?.logStartOffset,
    async read(partition, offset, maxBytes) {
      const leader = led(partition);
      if (leader === undefined) {
        throw new PartitionError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Broker ${partitions.brokerId} does not lead ${GROUP_METADATA_TOPIC}-${partition}`);
      }
      const { records } = await leader.log.read(offset, { maxBytes, minOneMessage: true });
      return records;
    },
  };
}
