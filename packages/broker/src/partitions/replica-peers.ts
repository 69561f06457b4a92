import type { ReplicaPeers, ReplicaReplies, ReplicaRequest } from '@kstream/replication';
import type { PeerLinks } from '../peers/peer-links.js';
import type { ReplicaManager } from './replica-manager.js';

/** Replication's view of the broker's peer channels: its requests, typed by their replies. */
export function replicaPeers(links: PeerLinks): ReplicaPeers {
  return {
    ask<M extends ReplicaRequest>(brokerId: number, msg: M, options: { timeoutMs: number }): Promise<ReplicaReplies[M['type']]> {
      return links.ask(brokerId, msg, options) as Promise<ReplicaReplies[M['type']]>;
    },
  };
}

/**
 * Serves the peers' replica requests from the hosted partitions, and lets
 * a fetcher whose leader's channel came back (a restarted worker, a healed
 * cut) fetch again at once rather than after its backoff.
 */
export function servePeers(links: PeerLinks, partitions: ReplicaManager): void {
  links.setHandler((msg, fromBroker) => partitions.serveReplicaRequest(msg as ReplicaRequest, fromBroker));
  links.onPeerChanged((peerId, connected) => {
    if (connected) partitions.fetchers.peerChanged(peerId);
  });
}
