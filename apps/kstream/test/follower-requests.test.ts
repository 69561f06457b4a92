// What a client sees when it asks a follower, on a real 3-broker node (RF 3):
// Produce v10+ and Fetch v16 answer NOT_LEADER_OR_FOLLOWER with the current
// leader, its epoch and its endpoint (KIP-951), so the client moves without
// a Metadata round trip — also after a failover; and ElectLeaders (raw:
// kafkajs has no electLeaders) brings the preferred leader back.
import { ElectLeaders, Fetch, Produce, encodeRecordBatch } from '@kstream/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { FAST_FAILOVER, partitionView, REPLICATED, waitForPartition, withConnection } from './failover.test-support.js';
import { errorName } from './raw-connection.test-support.js';
import { topicMetadata } from './raw-requests.test-support.js';

const PRODUCE_KIP_951 = 11;
const FETCH_KIP_951 = 16;
const ELECT_LEADERS_VERSION = 2;
const PREFERRED_ELECTION = 0;

describe('requests to a follower', () => {
  let node: CompatCluster;
  let topic: string;

  beforeAll(async () => {
    node = await CompatCluster.start('follower-requests', REPLICATED, FAST_FAILOVER);
    topic = topicName('followed');
    const admin = await node.admin();
    await admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }] }] });
    await waitForPartition(node, topic, 0, 'broker 1 leading with the ISR full', (p) => p.leader === 1 && p.isr.length === 3);
  });

  afterAll(async () => {
    await node?.stop();
  });

  async function produceV11To(broker: number) {
    const records = await encodeRecordBatch({ records: [{ key: null, value: Buffer.from('to a follower') }] });
    return withConnection(node, broker, (conn) =>
      conn.request(Produce, PRODUCE_KIP_951, { transactionalId: null, acks: -1, timeoutMs: 5_000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] }),
    );
  }

  function endpointOf(broker: number) {
    return { nodeId: broker, host: '127.0.0.1', port: node.port(broker), rack: null };
  }

  it('produceToAFollowerNamesTheLeader: Produce v11 answers NOT_LEADER_OR_FOLLOWER with leader 1, its epoch and its endpoint', async () => {
    const { leaderEpoch } = await partitionView(node, topic, 0);
    const response = await produceV11To(2);
    const answer = response.responses[0]!.partitionResponses[0]!;
    expect(errorName(answer.errorCode)).toBe('NOT_LEADER_OR_FOLLOWER');
    expect(answer.currentLeader).toEqual({ leaderId: 1, leaderEpoch });
    expect(response.nodeEndpoints).toEqual([endpointOf(1)]);
  });

  it('fetchFromAFollowerNamesTheLeader: Fetch v16 answers NOT_LEADER_OR_FOLLOWER with leader 1, its epoch and its endpoint', async () => {
    const { leaderEpoch } = await partitionView(node, topic, 0);
    const response = await withConnection(node, 3, async (conn) => {
      const [described] = await topicMetadata(conn, [topic]);
      return conn.request(Fetch, FETCH_KIP_951, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1024 * 1024,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic,
            topicId: described!.topicId,
            partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1024 * 1024 }],
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      });
    });
    expect(errorName(response.errorCode)).toBe('NONE');
    const answer = response.responses[0]!.partitions[0]!;
    expect(errorName(answer.errorCode)).toBe('NOT_LEADER_OR_FOLLOWER');
    expect(answer.currentLeader).toEqual({ leaderId: 1, leaderEpoch });
    expect(response.nodeEndpoints).toEqual([endpointOf(1)]);
  });

  it('afterFailoverTheHintNamesTheNewLeader, and ElectLeaders brings the preferred leader back', async () => {
    const before = await partitionView(node, topic, 0);
    await node.cluster.control.restartBroker(1);
    const failedOver = await waitForPartition(node, topic, 0, 'broker 2 leading and broker 1 back in the ISR', (p) => p.leader === 2 && p.isr.includes(1));
    expect(failedOver.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
    const hinted = await produceV11To(1);
    expect(hinted.responses[0]!.partitionResponses[0]!.currentLeader).toEqual({ leaderId: 2, leaderEpoch: failedOver.leaderEpoch });
    expect(hinted.nodeEndpoints).toEqual([endpointOf(2)]);

    const elect = () =>
      withConnection(node, 3, (conn) =>
        conn.request(ElectLeaders, ELECT_LEADERS_VERSION, { electionType: PREFERRED_ELECTION, topicPartitions: [{ topic, partitions: [0] }], timeoutMs: 10_000 }),
      );
    const elected = await elect();
    expect(elected.replicaElectionResults.map((t) => [t.topic, t.partitionResult.map((p) => [p.partitionId, errorName(p.errorCode)])])).toEqual([[topic, [[0, 'NONE']]]]);
    const back = await waitForPartition(node, topic, 0, 'broker 1 leading again', (p) => p.leader === 1);
    expect(back.leaderEpoch).toBe(failedOver.leaderEpoch + 1);
    const again = await elect();
    expect(errorName(again.replicaElectionResults[0]!.partitionResult[0]!.errorCode)).toBe('ELECTION_NOT_NEEDED');
  }, 30_000);
});
