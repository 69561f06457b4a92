// Where the Admin sends each call, and where it sends it again: two scripted
// brokers whose metadata moves the controller, a group's coordinator or a
// partition's leader from broker 1 to broker 2 when broker 1 refuses.
import {
  AUTHORIZED_OPERATIONS_OMITTED,
  CreateTopics,
  DescribeConfigs,
  DescribeGroups,
  ErrorCode,
  FindCoordinator,
  ListOffsets,
  Metadata,
  ZERO_UUID,
  type RequestOf,
  type ResponseOf,
} from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaClosedError, KafkaConfigError } from '../errors/index.js';
import { FakeBroker, type FakeHandler } from '../testing/fake-broker.test-support.js';
import { Admin } from './admin.js';
import { AdminBatchError } from './admin-errors.js';

/** Who the metadata and FindCoordinator name, changed by the handlers as a test goes. */
interface Roles {
  controller: number;
  coordinator: number;
  leader: number;
}

const started: { brokers: FakeBroker[]; admins: Admin[] } = { brokers: [], admins: [] };

afterEach(async () => {
  await Promise.all(started.admins.splice(0).map((a) => a.close()));
  await Promise.all(started.brokers.splice(0).map((b) => b.close()));
});

/** Brokers 1 and 2, both answering Metadata and FindCoordinator from `roles`, each with its own handlers for the rest. */
async function twoBrokers(roles: Roles, handlers: { 1?: Record<number, FakeHandler>; 2?: Record<number, FakeHandler> }): Promise<[FakeBroker, FakeBroker]> {
  const pair: FakeBroker[] = [];
  const shared = (): Record<number, FakeHandler> => ({
    [Metadata.apiKey]: (request: RequestOf<typeof Metadata>) => metadata(pair, roles, request),
    [FindCoordinator.apiKey]: (request: RequestOf<typeof FindCoordinator>) => coordinatorAnswer(pair[roles.coordinator - 1]!, request),
  });
  for (const nodeId of [1, 2] as const) pair.push(await FakeBroker.start({ nodeId, handlers: { ...shared(), ...handlers[nodeId] } }));
  started.brokers.push(...pair);
  return pair as [FakeBroker, FakeBroker];
}

function metadata(pair: readonly FakeBroker[], roles: Roles, request: RequestOf<typeof Metadata>): ResponseOf<typeof Metadata> {
  return {
    throttleTimeMs: 0,
    brokers: pair.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: null })),
    clusterId: 'fake-cluster',
    controllerId: roles.controller,
    topics: (request.topics ?? [{ name: 't', topicId: ZERO_UUID }]).map(({ name }) => ({
      errorCode: name === 't' ? 0 : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      name,
      topicId: ZERO_UUID,
      isInternal: false,
      partitions:
        name === 't' ? [{ errorCode: 0, partitionIndex: 0, leaderId: roles.leader, leaderEpoch: roles.leader, replicaNodes: [1, 2], isrNodes: [1, 2], offlineReplicas: [] }] : [],
      topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    })),
    clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function coordinatorAnswer(coordinator: FakeBroker, request: RequestOf<typeof FindCoordinator>): ResponseOf<typeof FindCoordinator> {
  const at = { nodeId: coordinator.nodeId, host: coordinator.host, port: coordinator.port };
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    ...at,
    coordinators: request.coordinatorKeys.map((key) => ({ key, ...at, errorCode: 0, errorMessage: null })),
  };
}

function createTopicsAnswer(request: RequestOf<typeof CreateTopics>, errorCode: number): ResponseOf<typeof CreateTopics> {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      topicId: ZERO_UUID,
      errorCode,
      errorMessage: null,
      topicConfigErrorCode: 0,
      numPartitions: t.numPartitions,
      replicationFactor: t.replicationFactor,
      configs: [],
    })),
  };
}

function describeGroupsAnswer(request: RequestOf<typeof DescribeGroups>, errorCode: number): ResponseOf<typeof DescribeGroups> {
  return {
    throttleTimeMs: 0,
    groups: request.groups.map((groupId) => ({
      errorCode,
      groupId,
      groupState: 'Empty',
      protocolType: 'consumer',
      protocolData: '',
      members: [],
      authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    })),
  };
}

function listOffsetsAnswer(request: RequestOf<typeof ListOffsets>, errorCode: number, offset: bigint): ResponseOf<typeof ListOffsets> {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode, oldStyleOffsets: [], timestamp: -1n, offset, leaderEpoch: 0 })),
    })),
  };
}

function admin(broker: FakeBroker, options: { defaultApiTimeoutMs?: number } = {}): Admin {
  const a = new Admin({ bootstrap: broker.address, retryBackoffMs: 5, retryBackoffMaxMs: 20, ...options });
  started.admins.push(a);
  return a;
}

describe('Admin routing', () => {
  it('notControllerLooksTheControllerUpAgain: CreateTopics is sent again to the controller fresh metadata names', async () => {
    const roles: Roles = { controller: 1, coordinator: 1, leader: 1 };
    const [one, two] = await twoBrokers(roles, {
      1: {
        [CreateTopics.apiKey]: (request: RequestOf<typeof CreateTopics>) => {
          roles.controller = 2;
          return createTopicsAnswer(request, ErrorCode.NOT_CONTROLLER);
        },
      },
      2: { [CreateTopics.apiKey]: (request: RequestOf<typeof CreateTopics>) => createTopicsAnswer(request, 0) },
    });
    const created = await admin(one).createTopics([{ topic: 'orders', numPartitions: 3, replicationFactor: 2 }]);
    expect(created).toMatchObject([{ topic: 'orders', numPartitions: 3, replicationFactor: 2 }]);
    expect([one.requestsOf(CreateTopics.apiKey).length, two.requestsOf(CreateTopics.apiKey).length]).toEqual([1, 1]);
  });

  it('notCoordinatorFindsItAgain: DescribeGroups is sent again to the coordinator a new FindCoordinator names', async () => {
    const roles: Roles = { controller: 1, coordinator: 1, leader: 1 };
    const [one, two] = await twoBrokers(roles, {
      1: {
        [DescribeGroups.apiKey]: (request: RequestOf<typeof DescribeGroups>) => {
          roles.coordinator = 2;
          return describeGroupsAnswer(request, ErrorCode.NOT_COORDINATOR);
        },
      },
      2: { [DescribeGroups.apiKey]: (request: RequestOf<typeof DescribeGroups>) => describeGroupsAnswer(request, 0) },
    });
    const [group] = await admin(one).describeGroups(['billing']);
    expect(group).toMatchObject({ groupId: 'billing', state: 'Empty', coordinator: 2 });
    expect(two.requestsOf(DescribeGroups.apiKey)).toHaveLength(1);
    const lookups = [...one.requestsOf(FindCoordinator.apiKey), ...two.requestsOf(FindCoordinator.apiKey)];
    expect(lookups, 'the coordinator was looked up again').toHaveLength(2);
  });

  it('leaderMovedAsksTheNewLeader: ListOffsets is sent again to the leader refreshed metadata names, with its leader epoch', async () => {
    const roles: Roles = { controller: 1, coordinator: 1, leader: 1 };
    const [one, two] = await twoBrokers(roles, {
      1: {
        [ListOffsets.apiKey]: (request: RequestOf<typeof ListOffsets>) => {
          roles.leader = 2;
          return listOffsetsAnswer(request, ErrorCode.NOT_LEADER_OR_FOLLOWER, -1n);
        },
      },
      2: { [ListOffsets.apiKey]: (request: RequestOf<typeof ListOffsets>) => listOffsetsAnswer(request, 0, 42n) },
    });
    const [listed] = await admin(one).listOffsets([{ topic: 't', partition: 0, spec: 'latest' }]);
    expect(listed).toMatchObject({ topic: 't', partition: 0, offset: 42n });
    const [asked] = two.requestsOf(ListOffsets.apiKey);
    expect(asked!.body.topics[0].partitions[0]).toMatchObject({ partitionIndex: 0, timestamp: -1n, currentLeaderEpoch: 2 });
  });

  it('brokerConfigsAskThatBroker: a broker resource goes to the broker it names', async () => {
    const roles: Roles = { controller: 1, coordinator: 1, leader: 1 };
    const describeConfigs = (request: RequestOf<typeof DescribeConfigs>): ResponseOf<typeof DescribeConfigs> => ({
      throttleTimeMs: 0,
      results: request.resources.map((r) => ({ errorCode: 0, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] })),
    });
    const [one, two] = await twoBrokers(roles, { 1: { [DescribeConfigs.apiKey]: describeConfigs }, 2: { [DescribeConfigs.apiKey]: describeConfigs } });
    expect(await admin(one).describeConfigs([{ type: 'broker', name: '2' }])).toEqual([{ resource: { type: 'broker', name: '2' }, configs: [] }]);
    expect([one.requestsOf(DescribeConfigs.apiKey).length, two.requestsOf(DescribeConfigs.apiKey).length]).toEqual([0, 1]);
  });

  it('unknownTopicIsAnAnswer: listOffsets of a topic the metadata lacks fails at once, without retrying until the deadline', async () => {
    const roles: Roles = { controller: 1, coordinator: 1, leader: 1 };
    const [one] = await twoBrokers(roles, {});
    const started = Date.now();
    const call = admin(one, { defaultApiTimeoutMs: 30_000 }).listOffsets([{ topic: 'nowhere', partition: 0, spec: 'earliest' }]);
    await expect(call).rejects.toThrow(/nowhere-0: UNKNOWN_TOPIC_OR_PARTITION/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('Admin deadlines', () => {
  it('unansweredCallEndsAtItsTimeout: a controller that never answers CreateTopics fails the topic with the timeout once the call runs out', async () => {
    const roles: Roles = { controller: 1, coordinator: 1, leader: 1 };
    const [one] = await twoBrokers(roles, { 1: { [CreateTopics.apiKey]: () => undefined } });
    const a = new Admin({ bootstrap: one.address, requestTimeoutMs: 200, retryBackoffMs: 5, retryBackoffMaxMs: 20 });
    started.admins.push(a);
    await a.connect();
    const startedAt = Date.now();
    const failure = await a.createTopics([{ topic: 'orders' }], { timeoutMs: 500 }).catch((error: unknown) => error);
    const elapsed = Date.now() - startedAt;
    expect(failure).toBeInstanceOf(AdminBatchError);
    const batch = failure as AdminBatchError;
    expect(batch.failures.map((f) => [f.item, f.error.name])).toEqual([['orders', 'KafkaTimeoutError']]);
    expect(batch.exhausted, 'the deadline, not a final answer, ended it').toBeDefined();
    expect(one.requestsOf(CreateTopics.apiKey)[0]!.body.timeoutMs, "the broker's own wait is what the call had left").toBeLessThanOrEqual(500);
    // The broker's wait plus requestTimeoutMs bounds the one attempt there was time for.
    expect(elapsed).toBeLessThan(2_000);
  });
});

describe('Admin options and lifecycle', () => {
  it('badOptionNamed: defaultApiTimeoutMs and a call timeoutMs are checked', async () => {
    expect(() => new Admin({ bootstrap: '127.0.0.1:9092', defaultApiTimeoutMs: 0 })).toThrow(KafkaConfigError);
    expect(() => new Admin({ bootstrap: '127.0.0.1:9092', defaultApiTimeoutMs: 0 })).toThrow(/defaultApiTimeoutMs/);
    const roles: Roles = { controller: 1, coordinator: 1, leader: 1 };
    const [one] = await twoBrokers(roles, {});
    await expect(admin(one).listTopics({ timeoutMs: -5 })).rejects.toThrow(/bad option timeoutMs: -5/);
  });

  it('closedAdminRefuses: every call after close is KafkaClosedError', async () => {
    const roles: Roles = { controller: 1, coordinator: 1, leader: 1 };
    const [one] = await twoBrokers(roles, {});
    const a = admin(one);
    expect(await a.listTopics()).toEqual(['t']);
    await a.close();
    await expect(a.listTopics()).rejects.toBeInstanceOf(KafkaClosedError);
    await expect(a.connect()).rejects.toBeInstanceOf(KafkaClosedError);
  });
});
