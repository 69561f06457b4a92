import { CreateTopics, ElectLeaders, ErrorCode } from '@kstream/protocol';
import type { RequestOf } from '@kstream/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BrokerCluster } from './broker-cluster.test-support.js';

const elect = (electionType: number, topicPartitions: RequestOf<typeof ElectLeaders>['topicPartitions']): RequestOf<typeof ElectLeaders> => ({
  electionType,
  topicPartitions,
  timeoutMs: 5_000,
});

const results = (response: { replicaElectionResults: { topic: string; partitionResult: { partitionId: number; errorCode: number }[] }[] }) =>
  response.replicaElectionResults.map((t) => [t.topic, t.partitionResult.map((p) => [p.partitionId, p.errorCode])]);

describe('ElectLeaders', () => {
  let cluster: BrokerCluster;
  beforeEach(async () => {
    cluster = await BrokerCluster.start({ brokers: 2 });
    const client = await cluster.client();
    const created = await client.request(CreateTopics, 4, {
      topics: [{ name: 'pair', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }], configs: [] }],
      timeoutMs: 5_000,
      validateOnly: false,
    });
    expect(created.topics[0]!.errorCode).toBe(0);
  });
  afterEach(() => cluster.stop());

  it('preferredAlreadyLeadingOrUnknown: ELECTION_NOT_NEEDED, UNKNOWN_TOPIC_OR_PARTITION, in every version', async () => {
    const client = await cluster.client();
    for (const version of [0, 1, 2]) {
      const response = await client.request(
        ElectLeaders,
        version,
        elect(0, [
          { topic: 'pair', partitions: [0, 7] },
          { topic: 'nope', partitions: [0] },
        ]),
      );
      expect(results(response), `v${version}`).toEqual([
        [
          'pair',
          [
            [0, ErrorCode.ELECTION_NOT_NEEDED],
            [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
          ],
        ],
        ['nope', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
      ]);
    }
    const all = await client.request(ElectLeaders, 2, elect(0, null));
    expect(all).toMatchObject({ errorCode: ErrorCode.NONE, replicaElectionResults: [] });
  });

  it('unknownElectionType: INVALID_REQUEST for the request and each partition', async () => {
    const client = await cluster.client();
    const response = await client.request(ElectLeaders, 1, elect(5, [{ topic: 'pair', partitions: [0] }]));
    expect(response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(results(response)).toEqual([['pair', [[0, ErrorCode.INVALID_REQUEST]]]]);
  });

  it('preferredLeaderBackAfterRestart: not available while it is away or out of the ISR, elected once back in it', async () => {
    const controller = cluster.controller;
    await cluster.stopBroker(1);
    expect(controller.metadata.partition('pair', 0)).toMatchObject({ leader: 2, isr: [2] });
    const client = await cluster.client(2);
    const request = elect(0, [{ topic: 'pair', partitions: [0] }]);
    expect(results(await client.request(ElectLeaders, 2, request))).toEqual([['pair', [[0, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE]]]]);
    expect(results(await client.request(ElectLeaders, 2, elect(1, [{ topic: 'pair', partitions: [0] }])))).toEqual([['pair', [[0, ErrorCode.ELECTION_NOT_NEEDED]]]]);

    // Back, but cut off from the leader: it cannot catch up into the ISR yet.
    await cluster.startBroker(1, { peersCut: true });
    expect(results(await client.request(ElectLeaders, 2, request))).toEqual([['pair', [[0, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE]]]]);
    cluster.healPeers(1);
    // Broker 2, the leader, lets broker 1 back into the ISR, as its replication does once broker 1 caught up.
    const { topicId } = controller.metadata.topicByName('pair')!;
    await expect
      .poll(async () => {
        const p = controller.metadata.partition('pair', 0)!;
        if (p.isr.includes(1)) return true;
        const brokerEpoch = controller.metadata.broker(2)!.brokerEpoch;
        const partition = { topicId, partition: 0, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr: [2, 1] };
        await controller.handle({ type: 'AlterPartition', brokerId: 2, brokerEpoch, partitions: [partition] });
        return controller.metadata.partition('pair', 0)!.isr.includes(1);
      })
      .toBe(true);

    const elected = await client.request(ElectLeaders, 2, request);
    expect(results(elected)).toEqual([['pair', [[0, ErrorCode.NONE]]]]);
    // The reply waited for this broker's metadata.
    expect(cluster.broker(2).services.metadata.state.partition('pair', 0)!.leader).toBe(1);
  });
});
