// How the transaction coordinator's markers reach the partitions of a
// transaction (Kafka's TransactionMarkerChannelManager, without its queues:
// the coordinator retries what comes back retriable). Each partition goes to
// its leader as this broker's metadata knows it: this broker's own through
// its ReplicaManager, another broker's over the pair's peer channel, which
// serves it with the same ReplicaManager function.
import { ActorError, type Logger } from '@kstream/actor';
import { ErrorCode } from '@kstream/protocol';
import { partitionKey } from '@kstream/replication';
import type { TopicPartitionRef, TxnMarkerEntry, TxnMarkerResult, TxnMarkerWriter } from '@kstream/transaction-coordinator';
import type { BrokerMetadata } from '../metadata/broker-metadata.js';
import type { ReplicaManager } from '../partitions/replica-manager.js';
import type { PeerLinks } from '../peers/peer-links.js';
import type { WriteTxnMarkersPeerReply, WriteTxnMarkersPeerRequest } from './txn-marker-messages.js';

/** How much longer than a marker's own replication wait the peer's answer is awaited, so the peer's REQUEST_TIMED_OUT arrives first. */
export const PEER_ANSWER_MARGIN_MS = 1_000;

export interface BrokerTxnMarkerWriterOptions {
  readonly brokerId: number;
  readonly metadata: BrokerMetadata;
  readonly partitions: ReplicaManager;
  readonly peers: PeerLinks;
  /** How long a marker waits to be replicated (offsets.commit.timeout.ms, read per write). */
  readonly timeoutMs: () => number;
  readonly logger: Logger;
}

/**
 * A TxnMarkerWriter over this broker's metadata, partitions and peer links.
 * Per partition: NONE once written and replicated; UNKNOWN_TOPIC_OR_PARTITION
 * when metadata does not know the partition (its topic was deleted);
 * NOT_LEADER_OR_FOLLOWER when it has no leader or the leader's channel is
 * missing or closed; REQUEST_TIMED_OUT when the leader does not answer in
 * time (a cut link); otherwise the leader's answer. Never rejects.
 */
export function brokerTxnMarkerWriter(options: BrokerTxnMarkerWriterOptions): TxnMarkerWriter {
  const { brokerId, metadata, partitions } = options;
  return {
    async write(entry) {
      const answered = new Map<string, number>();
      const byLeader = new Map<number, TopicPartitionRef[]>();
      for (const tp of entry.partitions) {
        const leader = metadata.leaderFor(tp.topic, tp.partition);
        if (leader === undefined) answered.set(keyOf(tp), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        else if (leader < 0) answered.set(keyOf(tp), ErrorCode.NOT_LEADER_OR_FOLLOWER);
        else byLeader.set(leader, [...(byLeader.get(leader) ?? []), tp]);
      }
      const timeoutMs = options.timeoutMs();
      await Promise.all(
        [...byLeader].map(async ([leader, led]) => {
          const marker: TxnMarkerEntry = { ...entry, partitions: led };
          const results = leader === brokerId ? (await partitions.writeTxnMarkers([marker], timeoutMs))[0]! : await askLeader(options, leader, marker, timeoutMs);
          for (const result of results) answered.set(keyOf(result), result.errorCode);
        }),
      );
      return entry.partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition, errorCode: answered.get(keyOf(tp)) ?? ErrorCode.NOT_LEADER_OR_FOLLOWER }));
    },
  };
}

async function askLeader(options: BrokerTxnMarkerWriterOptions, leader: number, marker: TxnMarkerEntry, timeoutMs: number): Promise<readonly TxnMarkerResult[]> {
  const request: WriteTxnMarkersPeerRequest = { type: 'WriteTxnMarkers', markers: [marker] };
  try {
    const reply = (await options.peers.ask(leader, request, { timeoutMs: timeoutMs + PEER_ANSWER_MARGIN_MS })) as WriteTxnMarkersPeerReply;
    return reply.results;
  } catch (error) {
    const timedOut = error instanceof ActorError && error.code === 'TIMEOUT';
    options.logger.warn(
      `broker ${options.brokerId}: transaction markers of producer ${marker.producerId} for broker ${leader} were not answered` +
        (timedOut ? ` within ${timeoutMs + PEER_ANSWER_MARGIN_MS} ms` : ''),
      { error },
    );
    const errorCode = timedOut ? ErrorCode.REQUEST_TIMED_OUT : ErrorCode.NOT_LEADER_OR_FOLLOWER;
    return marker.partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition, errorCode }));
  }
}

function keyOf(tp: TopicPartitionRef): string {
  return partitionKey(tp.topic, tp.partition);
}
