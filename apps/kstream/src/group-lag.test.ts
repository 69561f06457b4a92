import { describe, expect, it } from 'vitest';
import type { PartitionEndOffset } from '@kstream/broker';
import { coordinatorPartition, type GroupLag } from '@kstream/group-coordinator';
import { MetadataState, type MetadataRecord } from '@kstream/metadata';
import { nodeGroupLag } from './group-lag.js';

const OFFSETS_ID = '0ff5e750-0000-4000-8000-000000000001';
const ORDERS_ID = '0dde0000-0000-4000-8000-000000000001';
const GROUP = 'billing';

/** __consumer_offsets (4 partitions, the group's led by `coordinator`), orders-0..2 led by brokers 1, 2 and 3. */
function metadata(coordinator: number): MetadataState {
  const state = new MetadataState();
  const partition = (topicId: string, p: number, leader: number): MetadataRecord => ({
    type: 'Partition',
    topicId,
    partition: p,
    replicas: [1, 2, 3],
    isr: [1, 2, 3],
    leader,
    leaderEpoch: 0,
    partitionEpoch: 0,
  });
  const groupsPartition = coordinatorPartition(GROUP, 4);
  const records: MetadataRecord[] = [
    { type: 'Topic', name: '__consumer_offsets', topicId: OFFSETS_ID },
    ...[0, 1, 2, 3].map((p) => partition(OFFSETS_ID, p, p === groupsPartition ? coordinator : 1)),
    { type: 'Topic', name: 'orders', topicId: ORDERS_ID },
    ...[0, 1, 2].map((p) => partition(ORDERS_ID, p, p + 1)),
  ];
  for (const record of records) state.apply(record);
  return state;
}

/** A broker 1 coordinating the group: it knows orders-0's end (10), and takes the others' from what it is given. */
function coordinatorBroker(asked: PartitionEndOffset[][]) {
  return {
    async groupLag(groupId: string, endOffsets: readonly PartitionEndOffset[]): Promise<GroupLag | null> {
      asked.push([...endOffsets]);
      if (groupId !== GROUP) return null;
      const ends = new Map<number, bigint>([[0, 10n], ...endOffsets.map((e): [number, bigint] => [e.partition, e.offset])]);
      const partitions = [0, 1, 2].map((partition) => {
        const logEndOffset = ends.get(partition);
        return { topic: 'orders', partition, committedOffset: 4n, logEndOffset, lag: logEndOffset === undefined ? undefined : logEndOffset - 4n };
      });
      return { groupId, state: 'Empty', partitions, totalLag: partitions.reduce((sum, p) => sum + (p.lag ?? 0n), 0n) };
    },
    endOffsets: () => Promise.reject(new Error('the coordinator is not asked for its own ends')),
  };
}

const leaderOf = (offset: bigint) => ({
  groupLag: () => Promise.reject(new Error('only the coordinator is asked for the lag')),
  endOffsets: async (partitions: readonly { topic: string; partition: number }[]) => partitions.map((p) => ({ ...p, offset })),
});

describe('nodeGroupLag', () => {
  it('otherLeadersGiveTheirEnds: the coordinator is asked again with the end offsets of partitions it does not lead', async () => {
    const asked: PartitionEndOffset[][] = [];
    const brokers = new Map<number, unknown>([
      [1, coordinatorBroker(asked)],
      [2, leaderOf(12n)],
      [3, leaderOf(20n)],
    ]);
    const lag = await nodeGroupLag({ metadata: metadata(1), broker: (id) => brokers.get(id) as never }, GROUP);
    expect(asked).toEqual([
      [],
      [
        { topic: 'orders', partition: 1, offset: 12n },
        { topic: 'orders', partition: 2, offset: 20n },
      ],
    ]);
    expect(lag?.partitions.map((p) => p.lag)).toEqual([6n, 8n, 16n]);
    expect(lag?.totalLag).toBe(30n);
  });

  it('aLeaderDownLeavesItsLagUnknown: the others are still filled in', async () => {
    const asked: PartitionEndOffset[][] = [];
    const down = { groupLag: () => Promise.reject(new Error('down')), endOffsets: () => Promise.reject(new Error('broker 3 is not running')) };
    const brokers = new Map<number, unknown>([
      [1, coordinatorBroker(asked)],
      [2, leaderOf(12n)],
      [3, down],
    ]);
    const lag = await nodeGroupLag({ metadata: metadata(1), broker: (id) => brokers.get(id) as never }, GROUP);
    expect(lag?.partitions.map((p) => p.lag)).toEqual([6n, 8n, undefined]);
  });

  it('noGroup: null without __consumer_offsets or when the coordinator has no such group', async () => {
    expect(await nodeGroupLag({ metadata: new MetadataState(), broker: () => undefined }, GROUP)).toBeNull();
    const brokers = new Map<number, unknown>([[1, coordinatorBroker([])]]);
    expect(await nodeGroupLag({ metadata: metadata(1), broker: (id) => brokers.get(id) as never }, 'other')).toBeNull();
  });

  it('noCoordinator: rejects naming the group and its partition', async () => {
    await expect(nodeGroupLag({ metadata: metadata(-1), broker: () => undefined }, GROUP)).rejects.toThrow(
      `the coordinator of group "billing" (the leader of __consumer_offsets-${coordinatorPartition(GROUP, 4)}) is not available`,
    );
  });
});
