import { AlterPartitionReassignments, CreateTopics, ErrorCode, ListPartitionReassignments } from '@kstream/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BrokerCluster } from './broker-cluster.test-support.js';

const partitionCodes = (response: { responses: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] }) =>
  response.responses.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]);

describe('AlterPartitionReassignments and ListPartitionReassignments', () => {
  let cluster: BrokerCluster;
  beforeEach(async () => {
    cluster = await BrokerCluster.start({ brokers: 3 });
    const client = await cluster.client();
    const created = await client.request(CreateTopics, 4, {
      topics: [{ name: 'moved', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }], configs: [] }],
      timeoutMs: 5_000,
      validateOnly: false,
    });
    expect(created.topics[0]!.errorCode).toBe(0);
  });
  afterEach(() => cluster.stop());

  it('ongoingWhileTheNewReplicaIsDownListedAndCancelled: results per partition, the list, the cancel, as this broker sees them', async () => {
    // Broker 3 stays registered but down: it cannot catch up, so the reassignment stays ongoing.
    await cluster.stopBroker(3);
    const client = await cluster.client(2);
    const reassigned = await client.request(AlterPartitionReassignments, 0, {
      timeoutMs: 5_000,
      topics: [
        {
          name: 'moved',
          partitions: [
            { partitionIndex: 0, replicas: [1, 3] },
            { partitionIndex: 1, replicas: [1] },
          ],
        },
        { name: 'nope', partitions: [{ partitionIndex: 0, replicas: [1] }] },
      ],
    });
    expect(reassigned).toMatchObject({ errorCode: ErrorCode.NONE, errorMessage: null });
    expect(partitionCodes(reassigned)).toEqual([
      [
        'moved',
        [
          [0, ErrorCode.NONE],
          [1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ],
      ],
      ['nope', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
    ]);
    // The reply waited for this broker's metadata.
    expect(cluster.broker(2).services.metadata.state.partition('moved', 0)).toMatchObject({ replicas: [1, 3, 2], addingReplicas: [3], removingReplicas: [2] });

    const ongoing = { name: 'moved', partitions: [{ partitionIndex: 0, replicas: [1, 3, 2], addingReplicas: [3], removingReplicas: [2] }] };
    const all = await client.request(ListPartitionReassignments, 0, { timeoutMs: 5_000, topics: null });
    expect(all).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [ongoing] });
    const named = await client.request(ListPartitionReassignments, 0, {
      timeoutMs: 5_000,
      topics: [
        { name: 'moved', partitionIndexes: [0, 5] },
        { name: 'nope', partitionIndexes: [0] },
      ],
    });
    expect(named.topics).toEqual([ongoing]);

    const invalid = await client.request(AlterPartitionReassignments, 0, {
      timeoutMs: 5_000,
      topics: [
        {
          name: 'moved',
          partitions: [
            { partitionIndex: 0, replicas: [1, 1] },
            { partitionIndex: 0, replicas: [] },
            { partitionIndex: 0, replicas: [7] },
          ],
        },
      ],
    });
    expect(partitionCodes(invalid)).toEqual([
      [
        'moved',
        [
          [0, ErrorCode.INVALID_REPLICA_ASSIGNMENT],
          [0, ErrorCode.INVALID_REPLICA_ASSIGNMENT],
          [0, ErrorCode.INVALID_REPLICA_ASSIGNMENT],
        ],
      ],
    ]);
    expect(invalid.responses[0]!.partitions[2]!.errorMessage).toBe('The target replicas of moved-0 (7) include broker 7, which is not registered.');

    const cancel = { timeoutMs: 5_000, topics: [{ name: 'moved', partitions: [{ partitionIndex: 0, replicas: null }] }] };
    expect(partitionCodes(await client.request(AlterPartitionReassignments, 0, cancel))).toEqual([['moved', [[0, ErrorCode.NONE]]]]);
    expect(cluster.broker(2).services.metadata.state.partition('moved', 0)).toMatchObject({ replicas: [1, 2], addingReplicas: [], removingReplicas: [] });
    expect((await client.request(ListPartitionReassignments, 0, { timeoutMs: 5_000, topics: null })).topics).toEqual([]);
    expect(partitionCodes(await client.request(AlterPartitionReassignments, 0, cancel))).toEqual([['moved', [[0, ErrorCode.NO_REASSIGNMENT_IN_PROGRESS]]]]);
  });
});
