import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import { clusterRecords, testBroker, type TestBroker } from '../partitions/broker-services.test-support.js';
import { batch } from '../partitions/partitions.test-support.js';
import { GROUP_METADATA_TOPIC } from '@kstream/metadata';
import { coordinatedGroupLag, ledEndOffsets } from './group-lag-query.js';

const ORDERS_ID = '0dde0000-0000-4000-8000-000000000001';

/** orders-0 led here with 10 records, orders-1 led by broker 2; group "g" committed 4 and 3 (simple commits). */
async function laggingGroup(): Promise<TestBroker> {
  const broker = await testBroker([
    ...clusterRecords({ name: GROUP_METADATA_TOPIC, topicId: '0ff5e750-0000-4000-8000-000000000001' }, { name: 'orders', topicId: ORDERS_ID, partitions: 2 }),
    { type: 'Partition', topicId: ORDERS_ID, partition: 1, replicas: [2], isr: [2], leader: 2, leaderEpoch: 1, partitionEpoch: 1 },
  ]);
  const { groups, partitions } = broker.services;
  await partitions.appendRecords('orders', 0, await batch(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']), -1, 1000);
  await expect
    .poll(async () => (await groups.listGroups({ statesFilter: [], typesFilter: [] }, { apiVersion: 4, clientId: 't', clientHost: '/127.0.0.1' })).errorCode)
    .toBe(ErrorCode.NONE);
  const committed = await groups.offsetCommit(
    {
      groupId: 'g',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [
        {
          name: 'orders',
          partitions: [0, 1].map((partitionIndex) => ({
            partitionIndex,
            committedOffset: 4n - BigInt(partitionIndex),
            committedLeaderEpoch: -1,
            commitTimestamp: -1n,
            committedMetadata: '',
          })),
        },
      ],
    },
    { apiVersion: 7, clientId: 't', clientHost: '/127.0.0.1' },
  );
  expect(committed.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
  return broker;
}

describe('group lag for the node control API', () => {
  it('ledPartitionsUseTheirHighWatermark: one led elsewhere is unknown unless its end offset is given', async () => {
    const broker = await laggingGroup();
    const lag = coordinatedGroupLag(broker.services, 'g', []);
    expect(lag).toMatchObject({
      groupId: 'g',
      partitions: [
        { topic: 'orders', partition: 0, committedOffset: 4n, logEndOffset: 10n, lag: 6n },
        { topic: 'orders', partition: 1, committedOffset: 3n, logEndOffset: undefined, lag: undefined },
      ],
      totalLag: 6n,
    });
    const withGiven = coordinatedGroupLag(broker.services, 'g', [{ topic: 'orders', partition: 1, offset: 5n }]);
    expect(withGiven?.partitions[1]).toMatchObject({ logEndOffset: 5n, lag: 2n });
    expect(withGiven?.totalLag).toBe(8n);
  });

  it('unknownGroupIsUndefined', async () => {
    const broker = await laggingGroup();
    expect(coordinatedGroupLag(broker.services, 'nobody', [])).toBeUndefined();
  });

  it('ledEndOffsetsOnlyOfLedPartitions: a follower, unhosted or unknown partition is left out', async () => {
    const broker = await laggingGroup();
    expect(
      ledEndOffsets(broker.services.partitions, [
        { topic: 'orders', partition: 0 },
        { topic: 'orders', partition: 1 },
        { topic: 'nope', partition: 0 },
      ]),
    ).toEqual([{ topic: 'orders', partition: 0, offset: 10n }]);
  });
});
