// Builds metadata states for the pure election decisions' tests: brokers,
// one topic's partitions, and the election context over them.
import { MetadataState, reassignmentFields } from '@kstream/metadata';
import type { MetadataRecord, PartitionRecord } from '@kstream/metadata';
import { electionContext } from './election-context.js';
import type { EligibilityOverride } from './election-context.js';
import type { ElectionContext, PartitionChange } from './partition-elections.js';

export const TOPIC_ID = '00000000-0000-4000-8000-000000000001';

export interface PartitionSpec {
  readonly replicas: readonly number[];
  readonly isr?: readonly number[];
  readonly leader?: number;
  readonly leaderEpoch?: number;
  readonly partitionEpoch?: number;
  readonly addingReplicas?: readonly number[];
  readonly removingReplicas?: readonly number[];
}

/** Brokers 1..brokers registered (those in `fenced` fenced) and topic `t` with the given partitions. */
export function stateWith(brokers: number, partitions: readonly PartitionSpec[], fenced: readonly number[] = []): MetadataState {
  const state = new MetadataState();
  const records: MetadataRecord[] = [{ type: 'ClusterId', clusterId: 'test' }];
  for (let id = 1; id <= brokers; id++) records.push({ type: 'RegisterBroker', brokerId: id, brokerEpoch: id, host: 'h', port: id });
  for (const id of fenced) records.push({ type: 'FenceBroker', brokerId: id, brokerEpoch: id, reason: 'test' });
  records.push({ type: 'Topic', name: 't', topicId: TOPIC_ID });
  partitions.forEach((p, partition) => {
    records.push(partitionRecord(partition, p));
  });
  for (const record of records) state.apply(record);
  return state;
}

export function partitionRecord(partition: number, p: PartitionSpec): PartitionRecord {
  const isr = p.isr ?? p.replicas;
  return {
    type: 'Partition',
    topicId: TOPIC_ID,
    partition,
    replicas: p.replicas,
    isr,
    leader: p.leader ?? isr[0] ?? -1,
    leaderEpoch: p.leaderEpoch ?? 0,
    partitionEpoch: p.partitionEpoch ?? 0,
    ...reassignmentFields(p.addingReplicas ?? [], p.removingReplicas ?? []),
  };
}

export interface ContextOptions extends EligibilityOverride {
  readonly shuttingDown?: readonly number[];
  readonly unclean?: boolean;
}

export function contextOf(state: MetadataState, options: ContextOptions = {}): ElectionContext {
  const staticConfig: Record<string, string> = options.unclean ? { 'unclean.leader.election.enable': 'true' } : {};
  return electionContext(state, staticConfig, new Set(options.shuttingDown ?? []), options);
}

/** The changes' records, as the metadata log would hold them. */
export function recordsOf(changes: readonly PartitionChange[]): PartitionRecord[] {
  return changes.map((c) => c.record);
}
