// The client's picture of the cluster: brokers, the controller, and for each
// tracked topic its partitions' leaders, epochs and replicas, built from a
// Metadata response. Snapshots are immutable; a refresh or a leader hint
// makes a new one.
import type { Metadata, ResponseOf } from '@kstream/protocol';

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionMetadata {
  partition: number;
  errorCode: number;
  /** -1 when the partition has no leader. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offline: number[];
}

export interface TopicMetadata {
  name: string;
  topicId: string;
  isInternal: boolean;
  errorCode: number;
  /** Index = partition id. */
  partitions: PartitionMetadata[];
}

export interface ClusterMetadata {
  clusterId: string | null;
  /** -1 when the broker did not say. */
  controllerId: number;
  brokers: ReadonlyMap<number, BrokerInfo>;
  topics: ReadonlyMap<string, TopicMetadata>;
  /** Date.now() when the response arrived; 0 for the empty snapshot before the first. */
  fetchedAt: number;
}

export const EMPTY_METADATA: ClusterMetadata = Object.freeze({
  clusterId: null,
  controllerId: -1,
  brokers: new Map(),
  topics: new Map(),
  fetchedAt: 0,
});

/** A snapshot from a Metadata response. */
export function metadataFromResponse(response: ResponseOf<typeof Metadata>, fetchedAt: number): ClusterMetadata {
  const brokers = new Map<number, BrokerInfo>();
  for (const b of response.brokers) brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack });
  const topics = new Map<string, TopicMetadata>();
  for (const t of response.topics) {
    if (t.name === null) continue; // v12+ names topics asked for by id; the client asks by name
    const partitions: PartitionMetadata[] = [];
    for (const p of t.partitions) {
      partitions[p.partitionIndex] = {
        partition: p.partitionIndex,
        errorCode: p.errorCode,
        leader: p.leaderId,
        leaderEpoch: p.leaderEpoch,
        replicas: p.replicaNodes,
        isr: p.isrNodes,
        offline: p.offlineReplicas,
      };
    }
    topics.set(t.name, { name: t.name, topicId: t.topicId, isInternal: t.isInternal, errorCode: t.errorCode, partitions: densePartitions(partitions) });
  }
  return { clusterId: response.clusterId, controllerId: response.controllerId, brokers, topics, fetchedAt };
}

/** Fills holes (a partition a broker left out) with leaderless entries, so index = partition id holds for every index. */
function densePartitions(partitions: PartitionMetadata[]): PartitionMetadata[] {
  for (let i = 0; i < partitions.length; i++) {
    partitions[i] ??= { partition: i, errorCode: 5 /* LEADER_NOT_AVAILABLE */, leader: -1, leaderEpoch: -1, replicas: [], isr: [], offline: [] };
  }
  return partitions;
}

/**
 * `metadata` with one partition's leader moved, as a KIP-951 hint in a
 * Produce or Fetch response tells it; unchanged unless `leaderEpoch` is newer
 * than the one known. The hint's endpoints join the broker list.
 */
export function withLeaderHint(
  metadata: ClusterMetadata,
  topic: string,
  partition: number,
  leaderId: number,
  leaderEpoch: number,
  endpoints: readonly { nodeId: number; host: string; port: number; rack?: string | null }[] = [],
): ClusterMetadata {
  const known = metadata.topics.get(topic);
  const current = known?.partitions[partition];
  if (known === undefined || current === undefined || leaderId < 0 || leaderEpoch <= current.leaderEpoch) return metadata;
  const partitions = known.partitions.slice();
  partitions[partition] = { ...current, errorCode: 0, leader: leaderId, leaderEpoch };
  const topics = new Map(metadata.topics);
  topics.set(topic, { ...known, partitions });
  let brokers = metadata.brokers;
  for (const e of endpoints) {
    const existing = brokers.get(e.nodeId);
    if (existing !== undefined && existing.host === e.host && existing.port === e.port) continue;
    if (brokers === metadata.brokers) brokers = new Map(brokers);
    (brokers as Map<number, BrokerInfo>).set(e.nodeId, { nodeId: e.nodeId, host: e.host, port: e.port, rack: e.rack ?? existing?.rack ?? null });
  }
  return { ...metadata, brokers, topics };
}

/**
 * `fresh` with any partition whose leader epoch went backwards taken from
 * `previous` instead (KIP-320): a broker whose metadata lags must not send
 * the client back to a leader it has already moved past, e.g. one a KIP-951
 * hint replaced.
 */
export function keepingNewerLeaders(fresh: ClusterMetadata, previous: ClusterMetadata): ClusterMetadata {
  let topics: Map<string, TopicMetadata> | undefined;
  for (const [name, topic] of fresh.topics) {
    const before = previous.topics.get(name);
    if (before === undefined || before.topicId !== topic.topicId) continue; // a topic recreated under the same name starts its epochs again
    let partitions: PartitionMetadata[] | undefined;
    for (let i = 0; i < topic.partitions.length; i++) {
      const old = before.partitions[i];
      if (old === undefined || old.leaderEpoch <= topic.partitions[i]!.leaderEpoch) continue;
      partitions ??= topic.partitions.slice();
      partitions[i] = old;
    }
    if (partitions === undefined) continue;
    topics ??= new Map(fresh.topics);
    topics.set(name, { ...topic, partitions });
  }
  return topics === undefined ? fresh : { ...fresh, topics };
}
