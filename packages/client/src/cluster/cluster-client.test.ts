import { createServer } from 'node:net';
import { AUTHORIZED_OPERATIONS_OMITTED, ErrorCode, FindCoordinator, Heartbeat, ListGroups, Metadata, ZERO_UUID, type RequestOf, type ResponseOf } from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaClosedError, KafkaProtocolError, KafkaRetriesExhaustedError } from '../errors/kafka-client-error.js';
import type { ClientOptions } from '../options/client-options.js';
import { FakeBroker, type FakeBrokerOptions } from '../testing/fake-broker.test-support.js';
import { ClusterClient } from './cluster-client.js';

const brokers: FakeBroker[] = [];
const clients: ClusterClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(brokers.splice(0).map((b) => b.close()));
});

async function fake(options: FakeBrokerOptions = {}): Promise<FakeBroker> {
  const broker = await FakeBroker.start(options);
  brokers.push(broker);
  return broker;
}

function client(broker: FakeBroker | string, options: Partial<ClientOptions> = {}): ClusterClient {
  const c = new ClusterClient({ bootstrap: typeof broker === 'string' ? broker : broker.address, retryBackoffMs: 5, retryBackoffMaxMs: 20, ...options });
  clients.push(c);
  return c;
}

type MetadataResponse = ResponseOf<typeof Metadata>;
type MetadataPartition = MetadataResponse['topics'][number]['partitions'][number];

/** A Metadata handler answering for topic `t` from `partitions()`, as it is at each request. */
function metadataOf(broker: () => FakeBroker, partitions: () => Array<Partial<MetadataPartition>>) {
  return (request: RequestOf<typeof Metadata>): MetadataResponse => ({
    ...broker().metadataResponse({ ...request, topics: [] }),
    topics: (request.topics ?? [{ name: 't', topicId: ZERO_UUID }]).map(({ name }) => ({
      errorCode: name === 't' ? 0 : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      name,
      topicId: ZERO_UUID,
      isInternal: false,
      partitions:
        name === 't'
          ? partitions().map((p, partitionIndex) => ({
              errorCode: 0,
              partitionIndex,
              leaderId: broker().nodeId,
              leaderEpoch: 0,
              replicaNodes: [broker().nodeId],
              isrNodes: [broker().nodeId],
              offlineReplicas: [],
              ...p,
            }))
          : [],
      topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    })),
  });
}

function topicEntry(name: string, partitions: number | undefined): MetadataResponse['topics'][number] {
  return {
    errorCode: partitions === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : 0,
    name,
    topicId: ZERO_UUID,
    isInternal: false,
    partitions: Array.from({ length: partitions ?? 0 }, (_, partitionIndex) => ({
      errorCode: 0,
      partitionIndex,
      leaderId: 0,
      leaderEpoch: 0,
      replicaNodes: [0],
      isrNodes: [0],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

const metadataRequests = (broker: FakeBroker) => broker.requestsOf(Metadata.apiKey);

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('ClusterClient', () => {
  it('bootstrapsPastARefusedAddress', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const deadPort = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const broker = await fake({ nodeId: 4 });
    const c = client(`127.0.0.1:${deadPort},${broker.address}`);
    await c.connect();
    expect([...c.metadata.brokers.keys()]).toEqual([4]);
    expect(c.metadata).toMatchObject({ clusterId: 'fake-cluster', controllerId: 4 });
    expect(metadataRequests(broker)[0]!.body).toMatchObject({ topics: [], allowAutoTopicCreation: false });
  });

  it('concurrentRefreshesShareARequest', async () => {
    const broker = await fake({ topics: { a: 1, b: 1, c: 1 } });
    const c = client(broker);
    await c.connect();
    const before = metadataRequests(broker).length;
    const results = await Promise.all([c.refreshMetadata(['a']), c.refreshMetadata(['a']), c.refreshMetadata(['b']), c.refreshMetadata(['c'])]);
    const sent = metadataRequests(broker).slice(before);
    // The first asks for a; b and c, asked while it was in flight, share the one after it.
    expect(sent.map((r) => r.body.topics.map((t: { name: string }) => t.name))).toEqual([['a'], ['a', 'b', 'c']]);
    expect(results[0]).toBe(results[1]);
    expect(results[2]).toBe(results[3]);
    expect([...results[3]!.topics.keys()]).toEqual(['a', 'b', 'c']);
  });

  it('anInvalidationDuringARefreshIsNotCoveredByIt', async () => {
    let release: (() => void) | undefined;
    let broker: FakeBroker;
    broker = await fake({
      handlers: {
        [Metadata.apiKey]: (request: RequestOf<typeof Metadata>) => {
          const response = broker.metadataResponse(request);
          if (release !== undefined || (request.topics ?? []).length === 0) return response;
          return new Promise((resolve) => (release = () => resolve(response)));
        },
      },
      topics: { t: 1 },
    });
    const c = client(broker);
    await c.connect();
    const first = c.refreshMetadata(['t']);
    await until(() => release !== undefined);
    c.invalidate('t');
    const second = c.leaderFor('t', 0);
    release!();
    await Promise.all([first, second]);
    expect(metadataRequests(broker).filter((r) => r.body.topics.length > 0)).toHaveLength(2);
  });

  it('everyTopicIsAskedWithNull', async () => {
    const broker = await fake({ topics: { a: 2, b: 1 } });
    const c = client(broker);
    const metadata = await c.refreshMetadata(null);
    expect(metadataRequests(broker).at(-1)!.body.topics).toBeNull();
    expect([...metadata.topics.keys()].sort()).toEqual(['a', 'b']);
    expect(metadata.topics.get('a')!.partitions.map((p) => p.leader)).toEqual([0, 0]);
  });

  it('leaderForAsksOnlyWhenUnknownOrInvalidated', async () => {
    const broker = await fake({ topics: { t: 3 } });
    const c = client(broker);
    expect(await c.leaderFor('t', 2)).toBe(0);
    const asked = metadataRequests(broker).length;
    expect(await c.leaderFor('t', 1)).toBe(0);
    expect(metadataRequests(broker)).toHaveLength(asked);
    c.invalidate('t');
    expect(await c.leaderFor('t', 1)).toBe(0);
    expect(metadataRequests(broker)).toHaveLength(asked + 1);
    c.invalidate();
    await c.topic('t');
    expect(metadataRequests(broker)).toHaveLength(asked + 2);
  });

  it('unknownTopicAndPartitionAreRetriableErrors', async () => {
    const broker = await fake({ topics: { t: 1 } });
    const c = client(broker);
    const unknownTopic = await c.leaderFor('nope', 0).catch((e: unknown) => e);
    expect(unknownTopic).toBeInstanceOf(KafkaProtocolError);
    expect(unknownTopic).toMatchObject({ errorName: 'UNKNOWN_TOPIC_OR_PARTITION', topic: 'nope', retriable: true });
    await expect(c.leaderFor('t', 5)).rejects.toThrow('UNKNOWN_TOPIC_OR_PARTITION on Metadata for t-5');
    await expect(c.topic('nope')).rejects.toMatchObject({ errorName: 'UNKNOWN_TOPIC_OR_PARTITION' });
  });

  it('aTopicThatDidNotExistIsAskedForAgain', async () => {
    const topics: Record<string, number> = {};
    let broker: FakeBroker;
    broker = await fake({
      handlers: {
        [Metadata.apiKey]: (request: RequestOf<typeof Metadata>) => ({
          ...broker.metadataResponse(request),
          topics: request.topics!.map(({ name }) => topicEntry(name!, topics[name!])),
        }),
      },
    });
    const c = client(broker);
    await expect(c.topic('late')).rejects.toMatchObject({ errorName: 'UNKNOWN_TOPIC_OR_PARTITION' });
    topics.late = 2;
    expect((await c.topic('late')).partitions).toHaveLength(2);
  });

  it('leaderlessPartitionIsLeaderNotAvailableUntilElected', async () => {
    let leader = -1;
    let broker: FakeBroker;
    broker = await fake({
      handlers: {
        [Metadata.apiKey]: metadataOf(
          () => broker,
          () => [{ leaderId: leader }],
        ),
      },
    });
    const c = client(broker);
    await expect(c.leaderFor('t', 0)).rejects.toMatchObject({ errorName: 'LEADER_NOT_AVAILABLE', partition: 0, retriable: true });
    leader = 0;
    expect(await c.leaderFor('t', 0)).toBe(0);
  });

  it('leaderHintAppliesOnlyANewerEpoch', async () => {
    let broker: FakeBroker;
    broker = await fake({
      handlers: {
        [Metadata.apiKey]: metadataOf(
          () => broker,
          () => [{ leaderEpoch: 5 }],
        ),
      },
    });
    const c = client(broker);
    await c.leaderFor('t', 0);
    c.applyLeaderHint('t', 0, 7, 5, [{ nodeId: 7, host: '127.0.0.1', port: 1 }]);
    expect(await c.leaderFor('t', 0)).toBe(0);
    c.applyLeaderHint('t', 0, 7, 6, [{ nodeId: 7, host: '127.0.0.1', port: 1 }]);
    expect(await c.leaderFor('t', 0)).toBe(7);
    expect(c.metadata.topics.get('t')!.partitions[0]!.leaderEpoch).toBe(6);
    expect(c.metadata.brokers.get(7)).toEqual({ nodeId: 7, host: '127.0.0.1', port: 1, rack: null });
  });

  it('refreshesInTheBackgroundEveryMaxAge', async () => {
    const broker = await fake({ topics: { t: 1 } });
    const c = client(broker, { metadataMaxAgeMs: 30 });
    await c.topic('t');
    const asked = metadataRequests(broker).length;
    await until(() => metadataRequests(broker).length >= asked + 2);
    expect(
      metadataRequests(broker)
        .at(-1)!
        .body.topics.map((t: { name: string }) => t.name),
    ).toEqual(['t']);
  });

  it('brokerReconnectsAfterItsConnectionDrops', async () => {
    const broker = await fake({ topics: { t: 1 } });
    const c = client(broker);
    const first = await c.broker(0);
    expect(await c.broker(0)).toBe(first);
    const asked = metadataRequests(broker).length;
    broker.dropConnections();
    await until(() => !first.connected);
    const second = await c.broker(0);
    expect(second).not.toBe(first);
    expect(second.connected).toBe(true);
    // A dropped connection invalidates metadata: the next leaderFor asks again.
    await c.leaderFor('t', 0);
    expect(metadataRequests(broker).length).toBeGreaterThan(asked);
  });

  it('unknownBrokerIsARetriableError', async () => {
    const c = client(await fake());
    await expect(c.broker(9)).rejects.toMatchObject({ retriable: true, message: 'broker 9 is not in the cluster metadata (brokers 0)' });
  });

  it('coordinatorLookupsRetryAndShareARequest', async () => {
    let answered = 0;
    let broker: FakeBroker;
    broker = await fake({
      handlers: {
        [FindCoordinator.apiKey]: (request: RequestOf<typeof FindCoordinator>): ResponseOf<typeof FindCoordinator> => ({
          throttleTimeMs: 0,
          errorCode: 0,
          errorMessage: null,
          nodeId: 0,
          host: '',
          port: 0,
          coordinators: request.coordinatorKeys.map((key) => ({
            key,
            ...(answered++ < 2
              ? { nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: 'loading' }
              : { nodeId: broker.nodeId, host: broker.host, port: broker.port, errorCode: 0, errorMessage: null }),
          })),
        }),
      },
    });
    const c = client(broker);
    await c.connect();
    const [g1, g2] = await Promise.all([c.coordinator('group', 'g1'), c.coordinator('group', 'g2')]);
    expect(g1).toBe(g2);
    expect(g1.nodeId).toBe(0);
    const lookups = broker.requestsOf(FindCoordinator.apiKey);
    expect(lookups[0]!.body).toMatchObject({ keyType: 0, coordinatorKeys: ['g1', 'g2'] });
    // Both failed once; their retries, each on its own backoff, share a request only if they coincide.
    const asked = lookups.length;
    expect(asked).toBeGreaterThanOrEqual(2);
    expect(asked).toBeLessThanOrEqual(3);
    // Cached until invalidated.
    await c.coordinator('group', 'g1');
    expect(broker.requestsOf(FindCoordinator.apiKey)).toHaveLength(asked);
    c.invalidateCoordinator('group', 'g1');
    await c.coordinator('group', 'g1');
    expect(broker.requestsOf(FindCoordinator.apiKey)).toHaveLength(asked + 1);
  });

  it('coordinatorTrafficIsNotQueuedBehindALongPoll', async () => {
    let broker: FakeBroker;
    broker = await fake({
      handlers: {
        [ListGroups.apiKey]: () => undefined, // a request the broker sits on, as on a Fetch long-poll
        [Heartbeat.apiKey]: () => ({ throttleTimeMs: 0, errorCode: 0 }),
        [FindCoordinator.apiKey]: (request: RequestOf<typeof FindCoordinator>) => ({
          throttleTimeMs: 0,
          errorCode: 0,
          errorMessage: null,
          nodeId: 0,
          host: '',
          port: 0,
          coordinators: request.coordinatorKeys.map((key) => ({ key, nodeId: 0, host: broker.host, port: broker.port, errorCode: 0, errorMessage: null })),
        }),
      },
    });
    // One request in flight per connection: a shared connection would hold the heartbeat behind the stuck request.
    const c = client(broker, { maxInFlightRequestsPerConnection: 1 });
    const coordinator = await c.coordinator('group', 'g');
    const data = await c.broker(0);
    expect(coordinator).not.toBe(data);
    const stuck = data.request(ListGroups, { statesFilter: [], typesFilter: [] }).catch(() => undefined);
    const heartbeat = await coordinator.request(Heartbeat, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null });
    expect(heartbeat.errorCode).toBe(0);
    await c.close();
    await stuck;
  });

  it('coordinatorLookupGivesUpAtTheRequestTimeout', async () => {
    const broker = await fake({
      handlers: {
        [FindCoordinator.apiKey]: (request: RequestOf<typeof FindCoordinator>) => ({
          throttleTimeMs: 0,
          errorCode: 0,
          errorMessage: null,
          nodeId: 0,
          host: '',
          port: 0,
          coordinators: request.coordinatorKeys.map((key) => ({
            key,
            nodeId: -1,
            host: '',
            port: -1,
            errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
            errorMessage: null,
          })),
        }),
      },
    });
    const c = client(broker, { requestTimeoutMs: 100 });
    const error = await c.coordinator('group', 'g').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaRetriesExhaustedError);
    expect((error as Error).message).toMatch(
      /^FindCoordinator for group g failed after \d+ attempts, its deadline reached: COORDINATOR_NOT_AVAILABLE from broker 0 .* for group g/,
    );
  });

  it('controllerIsTheMetadatasControllerId', async () => {
    const broker = await fake({ nodeId: 3 });
    const c = client(broker);
    expect((await c.controller()).nodeId).toBe(3);
  });

  it('closeEndsARetryingBootstrap', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const deadPort = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const c = client(`127.0.0.1:${deadPort}`, { retryBackoffMs: 1000, retryBackoffMaxMs: 1000, requestTimeoutMs: 60_000 });
    const started = Date.now();
    const bootstrap = c.connect().catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await c.close();
    expect(await bootstrap).toBeInstanceOf(KafkaClosedError);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('asksMetadataAtTheNegotiatedVersion', async () => {
    const broker = await fake({
      apiVersions: [
        { apiKey: 18, minVersion: 0, maxVersion: 3 },
        { apiKey: 3, minVersion: 0, maxVersion: 9 },
      ],
      topics: { t: 1 },
    });
    const c = client(broker);
    expect(await c.leaderFor('t', 0)).toBe(0);
    expect(metadataRequests(broker).map((r) => r.version)).toEqual([9, 9]);
  });

  it('connectsToEachLeaderOfAFakeCluster', async () => {
    const fakeCluster = await FakeBroker.startCluster(3, { topics: { t: 6 }, handlers: { [ListGroups.apiKey]: () => undefined } });
    try {
      const c = client(fakeCluster.bootstrap);
      const leaders = await Promise.all([0, 1, 2, 3, 4, 5].map((p) => c.leaderFor('t', p)));
      expect(leaders).toEqual([0, 1, 2, 0, 1, 2]);
      const connections = await Promise.all(leaders.map((id) => c.broker(id)));
      expect(new Set(connections).size).toBe(3);
      expect(connections.map((connection) => connection.port)).toEqual(leaders.map((id) => fakeCluster.brokers[id]!.port));
      // anyBroker picks the least loaded: the one broker not sitting on an unanswered request.
      for (const busy of [connections[0]!, connections[2]!]) void busy.request(ListGroups, { statesFilter: [], typesFilter: [] }).catch(() => undefined);
      expect(await c.anyBroker()).toBe(connections[1]);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await fakeCluster.close();
    }
  });

  it('refreshesThroughABootstrapAddressWhenNoKnownBrokerAnswers', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const movedPort = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    let moved = false;
    let broker: FakeBroker;
    broker = await fake({
      topics: { t: 1 },
      handlers: {
        [Metadata.apiKey]: (request: RequestOf<typeof Metadata>) => {
          const response = broker.metadataResponse(request);
          // Once moved, the metadata names broker 0 at an address where nothing listens.
          return moved ? { ...response, brokers: [{ nodeId: 0, host: '127.0.0.1', port: movedPort, rack: null }] } : response;
        },
      },
    });
    const c = client(broker, { requestTimeoutMs: 2000 });
    await c.topic('t');
    moved = true;
    await c.refreshMetadata();
    expect(c.metadata.brokers.get(0)!.port).toBe(movedPort);
    broker.dropConnections();
    moved = false;
    const metadata = await c.refreshMetadata();
    expect(metadata.brokers.get(0)!.port).toBe(broker.port);
    expect((await c.broker(0)).connected).toBe(true);
  });

  it('aClosedClientRefuses', async () => {
    const broker = await fake();
    const c = client(broker);
    const connection = await c.anyBroker();
    await c.close();
    expect(connection.connected).toBe(false);
    await expect(c.refreshMetadata()).rejects.toThrow(KafkaClosedError);
    await expect(c.connect()).rejects.toThrow(KafkaClosedError);
    await expect(c.broker(0)).rejects.toThrow(KafkaClosedError);
  });
});
