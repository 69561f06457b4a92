import type { ReplicaPeers, ReplicaReplies, ReplicaRequest } from '@kstream/replication';
import type { PeerLinks } from '../peers/peer-links.js';
import type { TxnMarkerResult, VerifyTxnPartitionsRequest } from '@kstream/transaction-coordinator';
import type { WriteTxnMarkersPeerReply, WriteTxnMarkersPeerRequest } from '../txn/txn-marker-messages.js';
import type { VerifyTxnPartitionsPeerReply, VerifyTxnPartitionsPeerRequest } from '../txn/txn-verification.js';
import type { ReplicaManager } from './replica-manager.js';

/** What peers ask a broker: replication's requests, the transaction markers of the partitions it leads, and produce verifications for its transaction coordinator. */
export type PeerRequest = ReplicaRequest | WriteTxnMarkersPeerRequest | VerifyTxnPartitionsPeerRequest;

/** Replication's view of the broker's peer channels: its requests, typed by their replies. */
export function replicaPeers(links: PeerLinks): ReplicaPeers {
  return {
    ask<M extends ReplicaRequest>(brokerId: number, msg: M, options: { timeoutMs: number }): Promise<ReplicaReplies[M['type']]> {
      return links.ask(brokerId, msg, options) as Promise<ReplicaReplies[M['type']]>;
    },
  };
}

/**
 * Serves the peers' requests from the hosted partitions — replica fetches
 * and epoch queries, and transaction markers (each waits for replication at
 * most `markerTimeoutMs()`, offsets.commit.timeout.ms), and a partition
 * leader's verification of a transactional produce (`verifyTxn`: the
 * broker's TransactionCoordinator.verifyPartitions) — and lets a fetcher
 * whose leader's channel came back (a restarted worker, a healed cut) fetch
 * again at once rather than after its backoff.
 */
export function servePeers(
  links: PeerLinks,
  partitions: ReplicaManager,
  markerTimeoutMs: () => number,
  verifyTxn: (request: VerifyTxnPartitionsRequest) => TxnMarkerResult[],
): void {
  links.setHandler((msg, fromBroker) => {
    const request = msg as PeerRequest;
    if (request.type === 'WriteTxnMarkers') return writeMarkersForPeer(partitions, request, markerTimeoutMs());
    if (request.type === 'VerifyTxnPartitions') return Promise.resolve<VerifyTxnPartitionsPeerReply>({ results: verifyTxn(request) });
    return partitions.serveReplicaRequest(request, fromBroker);
  });
  links.onPeerChanged((peerId, connected) => {
    if (connected) partitions.fetchers.peerChanged(peerId);
  });
}

async function writeMarkersForPeer(partitions: ReplicaManager, request: WriteTxnMarkersPeerRequest, timeoutMs: number): Promise<WriteTxnMarkersPeerReply> {
  const written = await partitions.writeTxnMarkers(request.markers, timeoutMs);
  return { results: written.flatMap((results, i) => results.map((result) => ({ ...result, producerId: request.markers[i]!.producerId }))) };
}
