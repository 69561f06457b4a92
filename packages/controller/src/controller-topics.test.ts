import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import { ConfigSource } from '@kstream/metadata';
import type { CreatableTopic, CreateTopicsReply } from '@kstream/metadata';
import type { Controller } from './controller.js';
import { ControllerFixture, recordingLogger } from './controller.test-support.js';
import type { LogLine } from './controller.test-support.js';

const fixture = new ControllerFixture();
beforeEach(() => fixture.setUp());
afterEach(() => fixture.cleanUp());

function topic(name: string, fields: Partial<CreatableTopic> = {}): CreatableTopic {
  return { name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [], ...fields };
}

function createTopics(controller: Controller, topics: CreatableTopic[], validateOnly = false): Promise<CreateTopicsReply> {
  return controller.handle({ type: 'CreateTopics', topics, validateOnly });
}

async function createOne(controller: Controller, created: CreatableTopic) {
  const { topics } = await createTopics(controller, [created]);
  return topics[0]!;
}

async function expectCreateError(controller: Controller, created: CreatableTopic, errorCode: number, message: string | RegExp) {
  const offset = controller.describe().metadataOffset;
  const result = await createOne(controller, created);
  expect(result).toMatchObject({ errorCode, topicId: null, numPartitions: -1, replicationFactor: -1, configs: [] });
  expect(result.errorMessage).toMatch(message);
  expect(controller.describe().metadataOffset).toBe(offset);
}

describe('CreateTopics', () => {
  it('createDescribeDeleteRecreate: the state holds the topic, and a recreated topic gets a new id', async () => {
    const controller = await fixture.openWithBrokers(3);
    const created = await createOne(controller, topic('orders', { numPartitions: 6, replicationFactor: 2 }));
    expect(created).toMatchObject({ name: 'orders', errorCode: 0, errorMessage: null, numPartitions: 6, replicationFactor: 2 });
    expect(created.topicId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const state = controller.metadata.topicByName('orders')!;
    expect(controller.metadata.topicById(created.topicId!)).toBe(state);
    expect(state.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const p of state.partitions) {
      expect(new Set(p.replicas).size).toBe(2);
      for (const id of p.replicas) expect([1, 2, 3]).toContain(id);
      expect(p).toMatchObject({ isr: p.replicas, leader: p.replicas[0], leaderEpoch: 0, partitionEpoch: 0 });
    }
    // Placement spreads leaders evenly over the three brokers.
    const leaders = state.partitions.map((p) => p.leader).sort();
    expect(leaders).toEqual([1, 1, 2, 2, 3, 3]);

    const deleted = await controller.handle({ type: 'DeleteTopics', topics: [{ name: 'orders', topicId: null }] });
    expect(deleted.topics).toEqual([{ name: 'orders', topicId: created.topicId, errorCode: 0, errorMessage: null }]);
    expect(controller.metadata.topicByName('orders')).toBeUndefined();
    expect(controller.metadata.topicById(created.topicId!)).toBeUndefined();

    const again = await createOne(controller, topic('orders'));
    expect(again.errorCode).toBe(0);
    expect(again.topicId).not.toBe(created.topicId);
  });

  it('metadataOffset: the reply names the offset of the last record written for it', async () => {
    const controller = await fixture.openWithBrokers(1);
    const before = controller.describe().metadataOffset;
    const reply = await createTopics(controller, [topic('a', { numPartitions: 3 })]);
    // One Topic record and three Partition records.
    expect(reply.metadataOffset).toBe(before + 3);
    expect(controller.describe().metadataOffset).toBe(reply.metadataOffset + 1);
  });

  it('defaults: -1 takes num.partitions and default.replication.factor from the static broker config', async () => {
    const controller = await fixture.openWithBrokers(3, {
      staticBrokerConfig: { 'num.partitions': '4', 'default.replication.factor': '3' },
    });
    expect(await createOne(controller, topic('t'))).toMatchObject({ errorCode: 0, numPartitions: 4, replicationFactor: 3 });
    expect(controller.metadata.topicByName('t')!.partitions.map((p) => [...p.replicas].sort())).toEqual(Array.from({ length: 4 }, () => [1, 2, 3]));
  });

  it('replicationFactorAboveLiveBrokers: fenced brokers do not count', async () => {
    const controller = await fixture.openWithBrokers(3);
    await controller.detachBroker(3, 'stopped');
    await expectCreateError(
      controller,
      topic('t', { numPartitions: 1, replicationFactor: 3 }),
      ErrorCode.INVALID_REPLICATION_FACTOR,
      'Replication factor: 3 larger than available brokers: 2.',
    );
    await createOne(controller, topic('u', { numPartitions: 8, replicationFactor: 2 }));
    for (const p of controller.metadata.topicByName('u')!.partitions) expect(p.replicas).not.toContain(3);
  });

  it('nonPositiveCounts: 0 partitions or replicas are refused; only -1 means the default', async () => {
    const controller = await fixture.openWithBrokers(1);
    await expectCreateError(controller, topic('a', { numPartitions: 0 }), ErrorCode.INVALID_PARTITIONS, /larger than 0, or -1/);
    await expectCreateError(controller, topic('b', { numPartitions: -2 }), ErrorCode.INVALID_PARTITIONS, /got -2/);
    await expectCreateError(controller, topic('c', { replicationFactor: 0 }), ErrorCode.INVALID_REPLICATION_FACTOR, /larger than 0, or -1/);
  });

  it('topicNameRules: empty, "." and "..", over 249 characters, other characters', async () => {
    const controller = await fixture.openWithBrokers(1);
    const invalid = ErrorCode.INVALID_TOPIC_EXCEPTION;
    await expectCreateError(controller, topic(''), invalid, "Topic name is illegal, it can't be empty");
    await expectCreateError(controller, topic('.'), invalid, 'Topic name cannot be "." or ".."');
    await expectCreateError(controller, topic('..'), invalid, 'Topic name cannot be "." or ".."');
    await expectCreateError(controller, topic('x'.repeat(250)), invalid, "can't be longer than 249 characters");
    await expectCreateError(controller, topic('a b'), invalid, `Topic name "a b" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`);
    await expectCreateError(controller, topic('ünicode'), invalid, /is illegal/);
    expect((await createOne(controller, topic('x'.repeat(249)))).errorCode).toBe(0);
    expect((await createOne(controller, topic('A-z_0.9'))).errorCode).toBe(0);
    expect((await createOne(controller, topic('__consumer_offsets'))).errorCode).toBe(0);
  });

  it("dotUnderscoreCollision: a name equal to an existing one when '.' and '_' are alike is refused, and such names are warned about", async () => {
    const lines: LogLine[] = [];
    const controller = await fixture.openWithBrokers(1, { logger: recordingLogger(lines) });
    expect((await createOne(controller, topic('metrics.cpu'))).errorCode).toBe(0);
    expect(lines.some((l) => l.level === 'warn' && l.msg.includes("metrics.cpu has a '.' or '_'"))).toBe(true);
    expect((await createOne(controller, topic('__consumer_offsets'))).errorCode).toBe(0);
    expect(lines.some((l) => l.level === 'warn' && l.msg.includes('__consumer_offsets'))).toBe(false);
    await expectCreateError(controller, topic('metrics_cpu'), ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic 'metrics_cpu' collides with existing topic: metrics.cpu");
    // Within one request too.
    const { topics } = await createTopics(controller, [topic('a_b'), topic('a.b')]);
    expect(topics.map((t) => t.errorCode)).toEqual([0, ErrorCode.INVALID_TOPIC_EXCEPTION]);
  });

  it('alreadyExists and duplicates in one request', async () => {
    const controller = await fixture.openWithBrokers(1);
    await createOne(controller, topic('t'));
    await expectCreateError(controller, topic('t'), ErrorCode.TOPIC_ALREADY_EXISTS, "Topic 't' already exists.");
    const { topics } = await createTopics(controller, [topic('d'), topic('e'), topic('d')]);
    expect(topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['d', ErrorCode.INVALID_REQUEST],
      ['e', 0],
      ['d', ErrorCode.INVALID_REQUEST],
    ]);
    expect(topics[0]!.errorMessage).toBe('Topic d is listed more than once in the request.');
  });

  it('manualAssignment: placed as given, leader the first live replica', async () => {
    const controller = await fixture.openWithBrokers(3);
    await controller.detachBroker(2, 'stopped');
    const result = await createOne(
      controller,
      topic('m', {
        assignments: [
          { partitionIndex: 1, brokerIds: [2, 3] },
          { partitionIndex: 0, brokerIds: [3, 1] },
        ],
      }),
    );
    expect(result).toMatchObject({ errorCode: 0, numPartitions: 2, replicationFactor: 2 });
    expect(controller.metadata.topicByName('m')!.partitions).toEqual([
      { partition: 0, replicas: [3, 1], isr: [3, 1], leader: 3, leaderEpoch: 0, partitionEpoch: 0, addingReplicas: [], removingReplicas: [] },
      { partition: 1, replicas: [2, 3], isr: [3], leader: 3, leaderEpoch: 0, partitionEpoch: 0, addingReplicas: [], removingReplicas: [] },
    ]);
  });

  it('manualAssignmentRules: counts set too, gaps, repeated brokers, unknown brokers, uneven replicas, all fenced', async () => {
    const controller = await fixture.openWithBrokers(3);
    await controller.detachBroker(3, 'stopped');
    const bad = ErrorCode.INVALID_REPLICA_ASSIGNMENT;
    const assign = (...lists: number[][]) => lists.map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds }));
    await expectCreateError(
      controller,
      topic('a', { numPartitions: 1, assignments: assign([1]) }),
      ErrorCode.INVALID_REQUEST,
      'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
    );
    await expectCreateError(
      controller,
      topic('b', {
        assignments: [
          { partitionIndex: 0, brokerIds: [1] },
          { partitionIndex: 2, brokerIds: [2] },
        ],
      }),
      bad,
      'must list partitions 0 to 1 once each; got partitions 0, 2',
    );
    await expectCreateError(controller, topic('c', { assignments: assign([1, 1]) }), bad, 'includes broker 1 more than once');
    await expectCreateError(controller, topic('d', { assignments: assign([1, 9]) }), bad, 'includes broker 9, but no broker with that id is registered (registered: 1, 2, 3)');
    await expectCreateError(
      controller,
      topic('e', { assignments: assign([1, 2], [2]) }),
      bad,
      'a partition with 1 replica(s), but this is inconsistent with previous partitions, which have 2 replica(s)',
    );
    await expectCreateError(controller, topic('f', { assignments: assign([]) }), bad, 'an empty replica list');
    await expectCreateError(controller, topic('g', { assignments: assign([3]) }), bad, 'All brokers in the manual partition assignment 3 are fenced');
  });

  it('topicConfigs: stored, reported with their source; unknown keys, bad values and nulls refused with INVALID_CONFIG', async () => {
    const controller = await fixture.openWithBrokers(1);
    const created = await createOne(
      controller,
      topic('c', {
        configs: [
          { name: 'retention.ms', value: '1000' },
          { name: 'cleanup.policy', value: 'compact,delete' },
        ],
      }),
    );
    expect(created.errorCode).toBe(0);
    expect(Object.fromEntries(controller.metadata.configs('topic', 'c'))).toEqual({ 'retention.ms': '1000', 'cleanup.policy': 'compact,delete' });
    expect(created.configs.find((c) => c.name === 'retention.ms')).toEqual({
      name: 'retention.ms',
      value: '1000',
      readOnly: false,
      configSource: ConfigSource.TOPIC_CONFIG,
      isSensitive: false,
    });
    expect(created.configs.find((c) => c.name === 'segment.bytes')).toMatchObject({ value: '1073741824', configSource: ConfigSource.DEFAULT_CONFIG });

    const invalid = ErrorCode.INVALID_CONFIG;
    await expectCreateError(
      controller,
      topic('d', { configs: [{ name: 'retention.msec', value: '1' }] }),
      invalid,
      /^Unknown topic config name: retention.msec \(known: cleanup.policy, .*retention.ms.*\)$/,
    );
    await expectCreateError(
      controller,
      topic('e', { configs: [{ name: 'retention.ms', value: 'soon' }] }),
      invalid,
      'Invalid value "soon" for configuration retention.ms: must be a long from -1 to 9223372036854775807',
    );
    await expectCreateError(
      controller,
      topic('f', { configs: [{ name: 'cleanup.policy', value: 'compact,archive' }] }),
      invalid,
      'Invalid value "compact,archive" for configuration cleanup.policy: must be a comma-separated list of compact, delete',
    );
    await expectCreateError(controller, topic('g', { configs: [{ name: 'retention.ms', value: null }] }), invalid, 'Null value not supported for topic config retention.ms');
    await expectCreateError(
      controller,
      topic('h', {
        configs: [
          { name: 'retention.ms', value: '1' },
          { name: 'retention.ms', value: '2' },
        ],
      }),
      invalid,
      'Topic config retention.ms is given more than once',
    );
  });

  it('validateOnly: every check runs, nothing is written', async () => {
    const controller = await fixture.openWithBrokers(1);
    await createOne(controller, topic('exists'));
    const offset = controller.describe().metadataOffset;
    const reply = await createTopics(controller, [topic('fresh', { numPartitions: 2 }), topic('exists'), topic('bad', { replicationFactor: 2 })], true);
    expect(reply.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['fresh', 0],
      ['exists', ErrorCode.TOPIC_ALREADY_EXISTS],
      ['bad', ErrorCode.INVALID_REPLICATION_FACTOR],
    ]);
    expect(reply.topics[0]).toMatchObject({ topicId: null, numPartitions: 2, replicationFactor: 1 });
    expect(controller.metadata.topicByName('fresh')).toBeUndefined();
    expect(controller.describe().metadataOffset).toBe(offset);
    expect(reply.metadataOffset).toBe(offset - 1);
  });
});

describe('DeleteTopics', () => {
  it('byNameAndById, unknown names and ids', async () => {
    const controller = await fixture.openWithBrokers(1);
    const a = await createOne(controller, topic('a'));
    await createOne(controller, topic('b'));
    const reply = await controller.handle({
      type: 'DeleteTopics',
      topics: [
        { name: null, topicId: a.topicId },
        { name: 'b', topicId: null },
        { name: 'nope', topicId: null },
        { name: null, topicId: '5b5a7fc3-4f3c-4d6e-9d4f-2f1f1b1c1d1e' },
        { name: 'b', topicId: a.topicId },
        { name: null, topicId: null },
      ],
    });
    expect(reply.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['a', 0],
      ['b', 0],
      ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      [null, ErrorCode.UNKNOWN_TOPIC_ID],
      ['b', ErrorCode.INVALID_REQUEST],
      [null, ErrorCode.INVALID_REQUEST],
    ]);
    expect(reply.topics[2]!.errorMessage).toBe('Topic nope does not exist.');
    expect(reply.topics[3]!.errorMessage).toBe('No topic has id 5b5a7fc3-4f3c-4d6e-9d4f-2f1f1b1c1d1e.');
    expect([...controller.metadata.topics.keys()]).toEqual([]);
  });

  it('deletedTopicConfigs: a topic recreated under the same name starts from the defaults', async () => {
    const controller = await fixture.openWithBrokers(1);
    await createOne(controller, topic('t', { configs: [{ name: 'retention.ms', value: '5' }] }));
    await controller.handle({ type: 'DeleteTopics', topics: [{ name: 't', topicId: null }] });
    await createOne(controller, topic('t'));
    expect(controller.metadata.configs('topic', 't').size).toBe(0);
  });

  it('deletionDisabled: delete.topic.enable=false keeps every topic', async () => {
    const controller = await fixture.openWithBrokers(1, { staticBrokerConfig: { 'delete.topic.enable': 'false' } });
    await createOne(controller, topic('t'));
    const reply = await controller.handle({ type: 'DeleteTopics', topics: [{ name: 't', topicId: null }] });
    expect(reply.topics[0]).toMatchObject({ errorCode: ErrorCode.TOPIC_DELETION_DISABLED });
    expect(controller.metadata.topicByName('t')).toBeDefined();
  });
});

describe('CreatePartitions', () => {
  it('grow: added partitions continue the placement with the same replication factor', async () => {
    const controller = await fixture.openWithBrokers(3);
    await createOne(controller, topic('t', { numPartitions: 2, replicationFactor: 2 }));
    const reply = await controller.handle({ type: 'CreatePartitions', topics: [{ name: 't', count: 6, assignments: null }], validateOnly: false });
    expect(reply.results).toEqual([{ name: 't', errorCode: 0, errorMessage: null }]);
    const partitions = controller.metadata.topicByName('t')!.partitions;
    expect(partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const p of partitions) expect(p.replicas).toHaveLength(2);
    expect(reply.metadataOffset).toBe(controller.describe().metadataOffset - 1);
  });

  it('countMustGrow, unknown topics, duplicates', async () => {
    const controller = await fixture.openWithBrokers(1);
    await createOne(controller, topic('t', { numPartitions: 3 }));
    const reply = await controller.handle({
      type: 'CreatePartitions',
      topics: [
        { name: 't', count: 3, assignments: null },
        { name: 'missing', count: 3, assignments: null },
        { name: 'dup', count: 3, assignments: null },
        { name: 'dup', count: 4, assignments: null },
      ],
      validateOnly: false,
    });
    expect(reply.results).toEqual([
      { name: 't', errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic t already has 3 partition(s).' },
      { name: 'missing', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'Topic missing does not exist.' },
      { name: 'dup', errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Topic dup is listed more than once in the request.' },
      { name: 'dup', errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Topic dup is listed more than once in the request.' },
    ]);
    const fewer = await controller.handle({ type: 'CreatePartitions', topics: [{ name: 't', count: 2, assignments: null }], validateOnly: false });
    expect(fewer.results[0]).toEqual({
      name: 't',
      errorCode: ErrorCode.INVALID_PARTITIONS,
      errorMessage: 'Topic t currently has 3 partition(s); 2 would not be an increase.',
    });
  });

  it('manualAssignments: one list per added partition, same replication factor, registered brokers', async () => {
    const controller = await fixture.openWithBrokers(3);
    await createOne(controller, topic('t', { numPartitions: 1, replicationFactor: 2 }));
    const grow = (assignments: number[][]) => controller.handle({ type: 'CreatePartitions', topics: [{ name: 't', count: 3, assignments }], validateOnly: false });
    expect((await grow([[1, 2]])).results[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: 'Attempted to add 2 additional partition(s) to topic t, but 1 assignment(s) were specified.',
    });
    expect((await grow([[1, 2], [3]])).results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT });
    expect(
      (
        await grow([
          [1, 2],
          [3, 7],
        ])
      ).results[0],
    ).toMatchObject({ errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT });
    expect(
      (
        await grow([
          [3, 1],
          [2, 3],
        ])
      ).results[0],
    ).toMatchObject({ errorCode: 0 });
    expect(
      controller.metadata
        .topicByName('t')!
        .partitions.slice(1)
        .map((p) => p.replicas),
    ).toEqual([
      [3, 1],
      [2, 3],
    ]);
  });

  it('replicationFactorAboveLiveBrokers: adding partitions needs as many live brokers as replicas', async () => {
    const controller = await fixture.openWithBrokers(2);
    await createOne(controller, topic('t', { numPartitions: 1, replicationFactor: 2 }));
    await controller.detachBroker(2, 'stopped');
    const reply = await controller.handle({ type: 'CreatePartitions', topics: [{ name: 't', count: 2, assignments: null }], validateOnly: false });
    expect(reply.results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REPLICATION_FACTOR });
  });

  it('validateOnly writes nothing', async () => {
    const controller = await fixture.openWithBrokers(1);
    await createOne(controller, topic('t'));
    const reply = await controller.handle({ type: 'CreatePartitions', topics: [{ name: 't', count: 5, assignments: null }], validateOnly: true });
    expect(reply.results[0]!.errorCode).toBe(0);
    expect(controller.metadata.topicByName('t')!.partitions).toHaveLength(1);
  });
});
