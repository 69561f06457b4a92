import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_OPERATIONS, DescribeCluster, ErrorCode, Metadata, TOPIC_OPERATIONS, ZERO_UUID } from '@kstream/protocol';
import type { RequestOf } from '@kstream/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerCluster } from './broker-cluster.test-support.js';

const byName = (names: (string | null)[]) => names.map((name) => ({ topicId: ZERO_UUID, name }));

function metadataRequest(topics: RequestOf<typeof Metadata>['topics'], options: Partial<RequestOf<typeof Metadata>> = {}): RequestOf<typeof Metadata> {
  return { topics, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false, ...options };
}

describe('Metadata', () => {
  let cluster: BrokerCluster;
  beforeAll(async () => {
    cluster = await BrokerCluster.start({ brokers: 2, config: { 'num.partitions': '2' } });
    const admin = await cluster.admin();
    await admin.createTopics({
      topics: [
        { topic: 'alpha', numPartitions: 2 },
        { topic: 'beta', numPartitions: 1 },
      ],
    });
  });
  afterAll(() => cluster.stop());

  it('nullEmptyAndV0: v1+ null lists every topic and [] none; v0 [] lists every topic', async () => {
    const client = await cluster.client();
    const names = (topics: { name: string | null }[]) => topics.map((t) => t.name).sort();
    expect(names((await client.request(Metadata, 1, metadataRequest(null))).topics)).toEqual(['alpha', 'beta']);
    expect((await client.request(Metadata, 9, metadataRequest([]))).topics).toEqual([]);
    expect(names((await client.request(Metadata, 0, metadataRequest([]))).topics)).toEqual(['alpha', 'beta']);
  });

  it('clusterBrokersAndTopic: cluster id, lowest live broker as controller, both brokers, and each partition with its leader, replicas, ISR and epoch', async () => {
    const client = await cluster.client(2);
    const response = await client.request(Metadata, 12, metadataRequest(byName(['alpha', 'alpha'])));
    expect(response.clusterId).toBe(cluster.controller.clusterId);
    expect(response.controllerId).toBe(1);
    expect(response.brokers).toEqual([
      { nodeId: 1, host: '127.0.0.1', port: cluster.port(1), rack: null },
      { nodeId: 2, host: '127.0.0.1', port: cluster.port(2), rack: null },
    ]);
    expect(response.topics).toHaveLength(1);
    const [alpha] = response.topics;
    expect(alpha).toMatchObject({ errorCode: 0, name: 'alpha', isInternal: false, topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED });
    expect(alpha!.topicId).toBe(cluster.controller.metadata.topicByName('alpha')!.topicId);
    expect(alpha!.partitions).toHaveLength(2);
    for (const p of alpha!.partitions) {
      expect(p).toMatchObject({ errorCode: 0, leaderEpoch: 0, offlineReplicas: [] });
      expect(p.replicaNodes).toEqual([p.leaderId]);
      expect(p.isrNodes).toEqual([p.leaderId]);
    }
    expect(response.clusterAuthorizedOperations).toBe(AUTHORIZED_OPERATIONS_OMITTED);
  });

  it('authorizedOperations: asked for, they are every supported operation (no authorizer)', async () => {
    const client = await cluster.client();
    const response = await client.request(Metadata, 10, metadataRequest(byName(['beta']), { includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true }));
    expect(response.topics[0]!.topicAuthorizedOperations).toBe(TOPIC_OPERATIONS);
    expect(response.clusterAuthorizedOperations).toBe(CLUSTER_OPERATIONS);
  });

  it('topicsById: v12 resolves a topic id to its topic; an unknown id is UNKNOWN_TOPIC_ID with no name', async () => {
    const client = await cluster.client();
    const topicId = cluster.controller.metadata.topicByName('beta')!.topicId;
    const unknownId = '00000000-0000-0000-0000-0000000000aa';
    const response = await client.request(
      Metadata,
      12,
      metadataRequest([
        { topicId, name: null },
        { topicId: unknownId, name: null },
      ]),
    );
    expect(response.topics.map((t) => [t.name, t.topicId, t.errorCode])).toEqual([
      ['beta', topicId, 0],
      [null, unknownId, ErrorCode.UNKNOWN_TOPIC_ID],
    ]);
  });

  it('topicIdsBeforeV12: v10 naming a topic by id is INVALID_REQUEST', async () => {
    const client = await cluster.client();
    const topicId = cluster.controller.metadata.topicByName('beta')!.topicId;
    const response = await client.request(Metadata, 10, metadataRequest([{ topicId, name: 'beta' }]));
    expect(response.topics.map((t) => t.errorCode)).toEqual([ErrorCode.INVALID_REQUEST]);
  });

  it('autoCreate: an unknown topic is LEADER_NOT_AVAILABLE at first, then exists with num.partitions partitions', async () => {
    const client = await cluster.client();
    const first = await client.request(Metadata, 4, metadataRequest(byName(['auto-made'])));
    expect(first.topics.map((t) => [t.name, t.errorCode])).toEqual([['auto-made', ErrorCode.LEADER_NOT_AVAILABLE]]);
    await expect.poll(async () => (await client.request(Metadata, 4, metadataRequest(byName(['auto-made'])))).topics[0]!.partitions.length).toBe(2);
  });

  it('autoCreateRefused: allowAutoTopicCreation=false and internal names are UNKNOWN_TOPIC_OR_PARTITION; a bad name INVALID_TOPIC_EXCEPTION', async () => {
    const client = await cluster.client();
    const response = await client.request(Metadata, 9, metadataRequest(byName(['not-allowed']), { allowAutoTopicCreation: false }));
    expect(response.topics.map((t) => t.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    const others = await client.request(Metadata, 9, metadataRequest(byName(['__consumer_offsets', 'bad name!'])));
    expect(others.topics.map((t) => [t.name, t.errorCode, t.isInternal])).toEqual([
      ['__consumer_offsets', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, true],
      ['bad name!', ErrorCode.INVALID_TOPIC_EXCEPTION, false],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(cluster.controller.metadata.topicByName('not-allowed')).toBeUndefined();
    expect(cluster.controller.metadata.topicByName('__consumer_offsets')).toBeUndefined();
  });

  it('describeCluster: live brokers and the cluster id; controller endpoints are UNSUPPORTED_ENDPOINT_TYPE', async () => {
    const client = await cluster.client();
    const response = await client.request(DescribeCluster, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 });
    expect(response).toMatchObject({
      errorCode: 0,
      clusterId: cluster.controller.clusterId,
      controllerId: 1,
      endpointType: 1,
      clusterAuthorizedOperations: CLUSTER_OPERATIONS,
    });
    expect(response.brokers.map((b) => [b.brokerId, b.port])).toEqual([
      [1, cluster.port(1)],
      [2, cluster.port(2)],
    ]);
    const controllers = await client.request(DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 2 });
    expect(controllers).toMatchObject({ errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, brokers: [], clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED });
  });

  it('kafkajsFetchTopicMetadata: kafkajs reads the topics and their leaders', async () => {
    const admin = await cluster.admin();
    const { topics } = await admin.fetchTopicMetadata({ topics: ['alpha'] });
    expect(topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1]);
    for (const p of topics[0]!.partitions) expect([1, 2]).toContain(p.leader);
  });
});

describe('Metadata with a fenced broker', () => {
  it('fencedLeader: partitions led by a stopped broker are LEADER_NOT_AVAILABLE with no leader and the replica offline; v0 lists live replicas only', async () => {
    const cluster = await BrokerCluster.start({ brokers: 2 });
    try {
      const client = await cluster.client(1);
      const admin = await cluster.admin();
      await admin.createTopics({
        topics: [
          {
            topic: 'two',
            replicaAssignment: [
              { partition: 0, replicas: [2] },
              { partition: 1, replicas: [1] },
            ],
          },
        ],
      });
      await cluster.stopBroker(2);
      await expect.poll(() => cluster.broker(1).services.metadata.isLive(2)).toBe(false);

      const response = await client.request(Metadata, 9, metadataRequest(byName(['two'])));
      expect(response.brokers.map((b) => b.nodeId)).toEqual([1]);
      const [onStopped, onLive] = [...response.topics[0]!.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex);
      expect(onStopped).toMatchObject({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1, replicaNodes: [2], offlineReplicas: [2] });
      expect(onLive).toMatchObject({ errorCode: 0, leaderId: 1, replicaNodes: [1], offlineReplicas: [] });

      const v0 = await client.request(Metadata, 0, metadataRequest(byName(['two'])));
      const stoppedV0 = v0.topics[0]!.partitions.find((p) => p.partitionIndex === 0)!;
      expect(stoppedV0).toMatchObject({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, replicaNodes: [], isrNodes: [] });
    } finally {
      await cluster.stop();
    }
  });

  it('autoCreateDisabled: auto.create.topics.enable=false answers UNKNOWN_TOPIC_OR_PARTITION and creates nothing', async () => {
    const cluster = await BrokerCluster.start({ config: { 'auto.create.topics.enable': 'false' } });
    try {
      const client = await cluster.client();
      const response = await client.request(Metadata, 12, metadataRequest(byName(['never'])));
      expect(response.topics.map((t) => t.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(cluster.controller.metadata.topicByName('never')).toBeUndefined();
    } finally {
      await cluster.stop();
    }
  });
});
