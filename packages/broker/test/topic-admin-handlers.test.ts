import { CreatePartitions, CreateTopics, DeleteTopics, ErrorCode, Metadata, ZERO_UUID } from '@kstream/protocol';
import type { RequestOf } from '@kstream/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerCluster } from './broker-cluster.test-support.js';

type CreatableTopic = RequestOf<typeof CreateTopics>['topics'][number];

const topic = (name: string, numPartitions = 1, more: Partial<CreatableTopic> = {}): CreatableTopic => ({
  name,
  numPartitions,
  replicationFactor: 1,
  assignments: [],
  configs: [],
  ...more,
});

const createTopics = (topics: CreatableTopic[], validateOnly = false): RequestOf<typeof CreateTopics> => ({ topics, timeoutMs: 5_000, validateOnly });

const metadataOf = (names: string[]): RequestOf<typeof Metadata> => ({
  topics: names.map((name) => ({ topicId: ZERO_UUID, name })),
  allowAutoTopicCreation: false,
  includeClusterAuthorizedOperations: false,
  includeTopicAuthorizedOperations: false,
});

describe('topic admin handlers', () => {
  let cluster: BrokerCluster;
  beforeAll(async () => {
    cluster = await BrokerCluster.start({ brokers: 2, config: { 'num.partitions': '3' } });
  });
  afterAll(() => cluster.stop());

  describe('CreateTopics', () => {
    it('createdThenVisible: v7 returns the id, counts and configs, and a Metadata request right after sees the topic', async () => {
      const client = await cluster.client();
      const response = await client.request(CreateTopics, 7, createTopics([topic('fresh', 2, { configs: [{ name: 'retention.ms', value: '1000' }] })]));
      const [result] = response.topics;
      expect(result).toMatchObject({ name: 'fresh', errorCode: 0, errorMessage: null, numPartitions: 2, replicationFactor: 1 });
      expect(result!.topicId).not.toBe(ZERO_UUID);
      expect(result!.configs!.find((c) => c.name === 'retention.ms')).toMatchObject({ value: '1000', configSource: 1 });

      const metadata = await client.request(Metadata, 12, metadataOf(['fresh']));
      expect(metadata.topics[0]).toMatchObject({ errorCode: 0, topicId: result!.topicId });
      expect(metadata.topics[0]!.partitions).toHaveLength(2);
    });

    it('brokerDefaults: -1 partitions and replication factor take num.partitions and default.replication.factor', async () => {
      const client = await cluster.client(2);
      const response = await client.request(CreateTopics, 5, createTopics([topic('defaults', -1, { replicationFactor: -1 })]));
      expect(response.topics[0]).toMatchObject({ errorCode: 0, numPartitions: 3, replicationFactor: 1 });
    });

    it('manualAssignment: each partition lands on the broker named', async () => {
      const client = await cluster.client();
      const assignments = [
        { partitionIndex: 0, brokerIds: [2] },
        { partitionIndex: 1, brokerIds: [1] },
      ];
      const response = await client.request(CreateTopics, 4, createTopics([topic('placed', -1, { replicationFactor: -1, assignments })]));
      expect(response.topics[0]!.errorCode).toBe(0);
      const metadata = await client.request(Metadata, 9, metadataOf(['placed']));
      expect(metadata.topics[0]!.partitions.map((p) => [p.partitionIndex, p.leaderId]).sort()).toEqual([
        [0, 2],
        [1, 1],
      ]);
    });

    it('validateOnly: every check runs, nothing is created', async () => {
      const client = await cluster.client();
      const response = await client.request(CreateTopics, 6, createTopics([topic('dry-run', 4), topic('bad name!')], true));
      expect(response.topics.map((t) => [t.name, t.errorCode, t.numPartitions])).toEqual([
        ['dry-run', 0, 4],
        ['bad name!', ErrorCode.INVALID_TOPIC_EXCEPTION, -1],
      ]);
      expect(response.topics[0]!.topicId).toBe(ZERO_UUID);
      expect((await client.request(Metadata, 9, metadataOf(['dry-run']))).topics[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    });

    it('errorsPerTopic: each bad topic gets its own code and message, and the good one in the same request is created', async () => {
      const client = await cluster.client();
      await client.request(CreateTopics, 5, createTopics([topic('taken')]));
      const response = await client.request(
        CreateTopics,
        5,
        createTopics([
          topic('taken'),
          topic('no-partitions', 0),
          topic('too-replicated', 1, { replicationFactor: 3 }),
          topic('bad/name'),
          topic('bad-config', 1, { configs: [{ name: 'retention.ms', value: 'soon' }] }),
          topic('twice'),
          topic('twice'),
          topic('good-one'),
        ]),
      );
      expect(response.topics.map((t) => [t.name, t.errorCode])).toEqual([
        ['taken', ErrorCode.TOPIC_ALREADY_EXISTS],
        ['no-partitions', ErrorCode.INVALID_PARTITIONS],
        ['too-replicated', ErrorCode.INVALID_REPLICATION_FACTOR],
        ['bad/name', ErrorCode.INVALID_TOPIC_EXCEPTION],
        ['bad-config', ErrorCode.INVALID_CONFIG],
        ['twice', ErrorCode.INVALID_REQUEST],
        ['twice', ErrorCode.INVALID_REQUEST],
        ['good-one', ErrorCode.NONE],
      ]);
      expect(response.topics[4]!.errorMessage).toContain('retention.ms');
      expect(response.topics[4]!.errorMessage).toContain('soon');
    });

    it('v0Response: the oldest version carries only names and codes', async () => {
      const client = await cluster.client();
      const response = await client.request(CreateTopics, 0, createTopics([topic('old-client'), topic('old-client-bad', -5)]));
      expect(response.topics.map((t) => [t.name, t.errorCode])).toEqual([
        ['old-client', 0],
        ['old-client-bad', ErrorCode.INVALID_PARTITIONS],
      ]);
    });

    it('kafkajsCreateTopics: kafkajs creates a topic and reports an existing one as not created', async () => {
      const admin = await cluster.admin();
      expect(await admin.createTopics({ topics: [{ topic: 'via-kafkajs', numPartitions: 2 }] })).toBe(true);
      expect(await admin.createTopics({ topics: [{ topic: 'via-kafkajs', numPartitions: 2 }] })).toBe(false);
      expect(await admin.listTopics()).toContain('via-kafkajs');
    });
  });

  describe('DeleteTopics', () => {
    it('byNameAndById: v5 deletes by name, v6 by id; a Metadata request right after no longer sees them', async () => {
      const client = await cluster.client();
      await client.request(CreateTopics, 7, createTopics([topic('doomed-a'), topic('doomed-b')]));
      const idOfB = cluster.broker(1).services.metadata.topicByName('doomed-b')!.topicId;

      const byName = await client.request(DeleteTopics, 5, { topics: [], topicNames: ['doomed-a'], timeoutMs: 5_000 });
      expect(byName.responses).toEqual([{ name: 'doomed-a', topicId: ZERO_UUID, errorCode: 0, errorMessage: null }]);
      const byId = await client.request(DeleteTopics, 6, { topics: [{ name: null, topicId: idOfB }], topicNames: [], timeoutMs: 5_000 });
      expect(byId.responses).toEqual([{ name: 'doomed-b', topicId: idOfB, errorCode: 0, errorMessage: null }]);

      const metadata = await client.request(Metadata, 9, metadataOf(['doomed-a', 'doomed-b']));
      expect(metadata.topics.map((t) => t.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    });

    it('errorsPerTopic: unknown name, unknown id, and both name and id each fail alone; the rest is deleted', async () => {
      const client = await cluster.client();
      await client.request(CreateTopics, 7, createTopics([topic('doomed-c')]));
      const unknownId = '00000000-0000-0000-0000-0000000000bb';
      const response = await client.request(DeleteTopics, 6, {
        topics: [
          { name: 'never-was', topicId: ZERO_UUID },
          { name: null, topicId: unknownId },
          { name: 'doomed-c', topicId: unknownId },
          { name: 'doomed-c', topicId: ZERO_UUID },
        ],
        topicNames: [],
        timeoutMs: 5_000,
      });
      expect(response.responses.map((r) => [r.name, r.errorCode])).toEqual([
        ['never-was', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        [null, ErrorCode.UNKNOWN_TOPIC_ID],
        ['doomed-c', ErrorCode.INVALID_REQUEST],
        ['doomed-c', ErrorCode.NONE],
      ]);
      expect(response.responses[0]!.errorMessage).toContain('never-was');
    });
  });

  describe('CreatePartitions', () => {
    it('grows: the added partitions are visible right after; validateOnly changes nothing', async () => {
      const client = await cluster.client();
      await client.request(CreateTopics, 7, createTopics([topic('growing', 1)]));
      const dry = await client.request(CreatePartitions, 3, { topics: [{ name: 'growing', count: 5, assignments: null }], timeoutMs: 5_000, validateOnly: true });
      expect(dry.results).toEqual([{ name: 'growing', errorCode: 0, errorMessage: null }]);
      expect((await client.request(Metadata, 9, metadataOf(['growing']))).topics[0]!.partitions).toHaveLength(1);

      const grown = await client.request(CreatePartitions, 0, {
        topics: [{ name: 'growing', count: 3, assignments: [{ brokerIds: [2] }, { brokerIds: [1] }] }],
        timeoutMs: 5_000,
        validateOnly: false,
      });
      expect(grown.results[0]!.errorCode).toBe(0);
      const partitions = (await client.request(Metadata, 9, metadataOf(['growing']))).topics[0]!.partitions;
      expect(
        partitions
          .map((p) => [p.partitionIndex, p.leaderId])
          .filter(([i]) => i! > 0)
          .sort(),
      ).toEqual([
        [1, 2],
        [2, 1],
      ]);
    });

    it('errorsPerTopic: unknown topic, no increase, a wrong number of assignments, an unknown broker; the other topic grows', async () => {
      const client = await cluster.client();
      await client.request(CreateTopics, 7, createTopics([topic('grow-ok', 1), topic('grow-bad', 2)]));
      const response = await client.request(CreatePartitions, 2, {
        topics: [
          { name: 'no-such-topic', count: 2, assignments: null },
          { name: 'grow-bad', count: 2, assignments: null },
          { name: 'grow-bad', count: 4, assignments: null },
          { name: 'grow-ok', count: 2, assignments: null },
        ],
        timeoutMs: 5_000,
        validateOnly: false,
      });
      expect(response.results.map((r) => [r.name, r.errorCode])).toEqual([
        ['no-such-topic', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ['grow-bad', ErrorCode.INVALID_REQUEST],
        ['grow-bad', ErrorCode.INVALID_REQUEST],
        ['grow-ok', ErrorCode.NONE],
      ]);
      const assignment = await client.request(CreatePartitions, 3, {
        topics: [
          { name: 'grow-bad', count: 2, assignments: null },
          { name: 'grow-ok', count: 4, assignments: [{ brokerIds: [1] }] },
          { name: 'placed-badly', count: 3, assignments: [{ brokerIds: [9] }] },
        ],
        timeoutMs: 5_000,
        validateOnly: false,
      });
      expect(assignment.results.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_PARTITIONS, ErrorCode.INVALID_REPLICA_ASSIGNMENT, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    });
  });
});
