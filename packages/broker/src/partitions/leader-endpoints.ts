import type { BrokerMetadata } from '../metadata/broker-metadata.js';

/** A broker's endpoint as Produce v10+ and Fetch v16 responses list it (KIP-951). */
export interface NodeEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

/**
 * The endpoints of the live brokers among `leaderIds`: a response naming a
 * partition's current leader (after NOT_LEADER_OR_FOLLOWER) also says where
 * it listens, so the client can go there without a Metadata round trip.
 */
export function leaderEndpoints(leaderIds: Iterable<number>, metadata: BrokerMetadata): NodeEndpoint[] {
  const ids = new Set([...leaderIds].filter((id) => id >= 0));
  return metadata
    .liveBrokers()
    .filter((b) => ids.has(b.brokerId))
    .map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: null }));
}
