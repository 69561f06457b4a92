import { AUTHORIZED_OPERATIONS_OMITTED, ZERO_UUID } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { keepingNewerLeaders, metadataFromResponse, withLeaderHint } from './cluster-metadata.js';

const TOPIC_ID = '11111111-2222-3333-4444-555555555555';

function response(leaders: Array<[leader: number, epoch: number] | undefined>, topicId = TOPIC_ID) {
  return {
    throttleTimeMs: 0,
    brokers: [
      { nodeId: 1, host: 'a', port: 1, rack: null },
      { nodeId: 2, host: 'b', port: 2, rack: 'r2' },
    ],
    clusterId: 'c',
    controllerId: 1,
    topics: [
      {
        errorCode: 0,
        name: 't',
        topicId,
        isInternal: false,
        partitions: leaders.flatMap((entry, partitionIndex) =>
          entry === undefined ? [] : [{ errorCode: 0, partitionIndex, leaderId: entry[0], leaderEpoch: entry[1], replicaNodes: [1, 2], isrNodes: [entry[0]], offlineReplicas: [] }],
        ),
        topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
      },
      { errorCode: 0, name: null, topicId: ZERO_UUID, isInternal: false, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED },
    ],
    clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

describe('cluster metadata', () => {
  it('indexesPartitionsByIdAndFillsHoles', () => {
    const metadata = metadataFromResponse(response([[1, 3], undefined, [2, 0]]), 42);
    expect(metadata).toMatchObject({ clusterId: 'c', controllerId: 1, fetchedAt: 42 });
    expect(metadata.brokers.get(2)).toEqual({ nodeId: 2, host: 'b', port: 2, rack: 'r2' });
    const partitions = metadata.topics.get('t')!.partitions;
    expect(partitions.map((p) => [p.partition, p.leader, p.leaderEpoch])).toEqual([
      [0, 1, 3],
      [1, -1, -1],
      [2, 2, 0],
    ]);
    expect(partitions[1]!.errorCode).toBe(5);
    expect(metadata.topics.size).toBe(1);
  });

  it('leaderHintNeedsANewerEpoch', () => {
    const metadata = metadataFromResponse(response([[1, 3]]), 0);
    expect(withLeaderHint(metadata, 't', 0, 2, 3)).toBe(metadata);
    expect(withLeaderHint(metadata, 'other', 0, 2, 9)).toBe(metadata);
    expect(withLeaderHint(metadata, 't', 0, -1, 9)).toBe(metadata);
    const hinted = withLeaderHint(metadata, 't', 0, 2, 4, [{ nodeId: 2, host: 'b', port: 2 }]);
    expect(hinted.topics.get('t')!.partitions[0]).toMatchObject({ leader: 2, leaderEpoch: 4 });
    expect(hinted.brokers).toBe(metadata.brokers);
    expect(metadata.topics.get('t')!.partitions[0]).toMatchObject({ leader: 1, leaderEpoch: 3 });
  });

  it('aLaggingBrokerCannotMoveALeaderBack', () => {
    const known = withLeaderHint(
      metadataFromResponse(
        response([
          [1, 3],
          [1, 1],
        ]),
        0,
      ),
      't',
      0,
      2,
      4,
    );
    const lagging = metadataFromResponse(
      response([
        [1, 3],
        [2, 2],
      ]),
      1,
    );
    const kept = keepingNewerLeaders(lagging, known);
    expect(kept.topics.get('t')!.partitions.map((p) => [p.leader, p.leaderEpoch])).toEqual([
      [2, 4],
      [2, 2],
    ]);
    expect(kept.fetchedAt).toBe(1);
    // A topic recreated under the same name has a new id: its epochs start again.
    const recreated = metadataFromResponse(response([[1, 0]], '99999999-2222-3333-4444-555555555555'), 2);
    expect(keepingNewerLeaders(recreated, known)).toBe(recreated);
  });
});
