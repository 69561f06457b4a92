import { ApiVersions, ErrorCode, ListGroups, Metadata, parseVersionRange } from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaConnectionError, KafkaTimeoutError, KafkaUnsupportedVersionError } from '../errors/kafka-client-error.js';
import { resolveClientOptions, type ClientOptions } from '../options/client-options.js';
import { FakeBroker, type FakeBrokerOptions } from '../testing/fake-broker.test-support.js';
import { BrokerConnection } from './broker-connection.js';

const brokers: FakeBroker[] = [];
const connections: BrokerConnection[] = [];

afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.close()));
  await Promise.all(brokers.splice(0).map((b) => b.close()));
});

async function fake(options: FakeBrokerOptions = {}): Promise<FakeBroker> {
  const broker = await FakeBroker.start(options);
  brokers.push(broker);
  return broker;
}

function connectionTo(broker: FakeBroker, options: Partial<ClientOptions> = {}): BrokerConnection {
  const connection = new BrokerConnection({ host: broker.host, port: broker.port, nodeId: broker.nodeId }, resolveClientOptions({ bootstrap: broker.address, ...options }));
  connections.push(connection);
  return connection;
}

const listGroupsRequest = { statesFilter: [], typesFilter: [] };
const listGroupsResponse = (groupId: string) => ({
  throttleTimeMs: 0,
  errorCode: 0,
  groups: [{ groupId, protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' }],
});

describe('BrokerConnection', () => {
  it('negotiatesTheHighestCommonVersion', async () => {
    const broker = await fake({
      apiVersions: [
        { apiKey: 18, minVersion: 0, maxVersion: 4 },
        { apiKey: 3, minVersion: 1, maxVersion: 7 },
      ],
    });
    const connection = connectionTo(broker);
    await connection.connect();
    expect(connection.connected).toBe(true);
    expect(connection.version(Metadata)).toBe(7);
    expect(connection.supports(Metadata, 8)).toBe(false);
    expect(() => connection.version(ListGroups)).toThrow(KafkaUnsupportedVersionError);
    expect(() => connection.version(ListGroups)).toThrow('broker 0 (127.0.0.1:');
    const [apiVersionsRequest] = broker.requestsOf(ApiVersions.apiKey);
    expect(apiVersionsRequest).toMatchObject({ version: parseVersionRange(ApiVersions.validVersions).max, body: { clientSoftwareName: 'kstream-client' } });
  });

  it('fallsBackToTheBrokersApiVersionsVersion', async () => {
    const broker = await fake({
      apiVersions: [
        { apiKey: 18, minVersion: 0, maxVersion: 2 },
        { apiKey: 3, minVersion: 0, maxVersion: 9 },
      ],
    });
    const connection = connectionTo(broker);
    await connection.connect();
    expect(broker.requestsOf(ApiVersions.apiKey).map((r) => r.version)).toEqual([4, 2]);
    expect(connection.version(Metadata)).toBe(9);
  });

  it('anUnsupportedVersionAnswerWithoutARangeIsAskedAgainAtV0', async () => {
    const apiKeys = [{ apiKey: 3, minVersion: 0, maxVersion: 12 }];
    const broker = await fake({
      handlers: {
        [ApiVersions.apiKey]: (_body: unknown, version: number) => ({ ...fakeApiVersions(version), apiKeys, errorCode: version > 0 ? ErrorCode.UNSUPPORTED_VERSION : 0 }),
      },
    });
    const connection = connectionTo(broker);
    await connection.connect();
    expect(broker.requestsOf(ApiVersions.apiKey).map((r) => r.version)).toEqual([4, 0]);
    expect(connection.version(Metadata)).toBe(12);
  });

  it('anUnsupportedVersionAnswerAtV0FailsTheConnect', async () => {
    const broker = await fake({
      handlers: { [ApiVersions.apiKey]: (_body: unknown, version: number) => ({ ...fakeApiVersions(version), errorCode: ErrorCode.UNSUPPORTED_VERSION }) },
    });
    await expect(connectionTo(broker).connect()).rejects.toThrow(/^UNSUPPORTED_VERSION from broker 0 .* on ApiVersions/);
    expect(broker.requestsOf(ApiVersions.apiKey).map((r) => r.version)).toEqual([4, 0]);
  });

  it('aSilentBrokerFailsTheConnectAtConnectTimeout', async () => {
    const broker = await fake({ handlers: { [ApiVersions.apiKey]: () => undefined } });
    const connection = connectionTo(broker, { connectTimeoutMs: 100 });
    const started = Date.now();
    const error = await connection.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaConnectionError);
    expect((error as Error).message).toMatch(/broker 0 \(127\.0\.0\.1:\d+\)/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(connection.connected).toBe(false);
  });

  it('pipelinesUpToTheInFlightLimit', async () => {
    const waiting: Array<() => void> = [];
    const broker = await fake({
      handlers: {
        [ListGroups.apiKey]: (_body: unknown, _version: number, header) => new Promise((resolve) => waiting.push(() => resolve(listGroupsResponse(`g${header.correlationId}`)))),
      },
    });
    const connection = connectionTo(broker, { maxInFlightRequestsPerConnection: 3 });
    await connection.connect();
    const responses = Array.from({ length: 5 }, () => connection.request(ListGroups, listGroupsRequest));
    expect(connection.pendingRequests).toBe(5);
    await until(() => broker.requestsOf(ListGroups.apiKey).length === 3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(broker.requestsOf(ListGroups.apiKey)).toHaveLength(3);
    // Answer the third first: responses are matched by correlation id, not by order.
    waiting[2]!();
    waiting[0]!();
    waiting[1]!();
    await until(() => waiting.length === 5);
    waiting[4]!();
    waiting[3]!();
    const groups = (await Promise.all(responses)).map((r) => r.groups[0]!.groupId);
    expect(connection.pendingRequests).toBe(0);
    const ids = broker.requestsOf(ListGroups.apiKey).map((r) => `g${r.header.correlationId}`);
    expect(groups).toEqual(ids);
  });

  it('timeoutClosesTheConnection', async () => {
    const broker = await fake({ handlers: { [ListGroups.apiKey]: () => undefined } });
    const connection = connectionTo(broker);
    await connection.connect();
    const closed = new Promise((resolve) => connection.onClose(resolve));
    const slow = connection.request(ListGroups, listGroupsRequest, { timeoutMs: 50 });
    const queuedBehind = connection.request(ListGroups, listGroupsRequest, { timeoutMs: 5000 });
    await expect(slow).rejects.toThrow(KafkaTimeoutError);
    await expect(slow).rejects.toThrow(/ListGroups v\d+ to broker 0 \(127\.0\.0\.1:\d+\) got no response within 50 ms/);
    await expect(queuedBehind).rejects.toThrow(KafkaConnectionError);
    expect(await closed).toBeInstanceOf(KafkaConnectionError);
    expect(connection.connected).toBe(false);
  });

  it('socketCloseRejectsWhatIsPending', async () => {
    const broker = await fake({ handlers: { [ListGroups.apiKey]: () => undefined } });
    const connection = connectionTo(broker);
    await connection.connect();
    const pending = [connection.request(ListGroups, listGroupsRequest), connection.request(ListGroups, listGroupsRequest)];
    await until(() => broker.requestsOf(ListGroups.apiKey).length === 2);
    broker.dropConnections();
    for (const request of pending) {
      const error = await request.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KafkaConnectionError);
      expect(error).toMatchObject({ retriable: true });
    }
    await expect(connection.request(ListGroups, listGroupsRequest)).rejects.toThrow(KafkaConnectionError);
  });

  it('refusedConnectionNamesTheAddress', async () => {
    const broker = await fake();
    const { port } = broker;
    await broker.close();
    brokers.length = 0;
    const connection = new BrokerConnection({ host: '127.0.0.1', port, nodeId: null }, resolveClientOptions({ bootstrap: `127.0.0.1:${port}` }));
    const error = await connection.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaConnectionError);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
  });

  it('oversizedResponseFrameClosesTheConnection', async () => {
    const broker = await fake({
      handlers: {
        [ListGroups.apiKey]: (_body: unknown, _version: number, _header, socket) => {
          socket.write(Buffer.from([0x7f, 0xff, 0xff, 0xff]));
          return undefined;
        },
      },
    });
    const connection = connectionTo(broker);
    await connection.connect();
    const error = await connection.request(ListGroups, listGroupsRequest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaConnectionError);
    expect(error).toMatchObject({ retriable: false });
    expect((error as Error).message).toMatch(/broker 0 \(127\.0\.0\.1:\d+\) sent an unreadable response frame \(frame size 2147483647 exceeds the limit of 104857600 bytes\)/);
    expect(connection.connected).toBe(false);
  });

  it('requestsWithoutResponseResolveOnceWritten', async () => {
    const broker = await fake({ handlers: { [ListGroups.apiKey]: () => undefined } });
    const connection = connectionTo(broker, { maxInFlightRequestsPerConnection: 1 });
    await connection.connect();
    await Promise.all([1, 2, 3].map(() => connection.requestWithoutResponse(ListGroups, listGroupsRequest)));
    await until(() => broker.requestsOf(ListGroups.apiKey).length === 3);
  });

  it('closeRejectsQueuedRequests', async () => {
    const broker = await fake({ handlers: { [ListGroups.apiKey]: () => undefined } });
    const connection = connectionTo(broker, { maxInFlightRequestsPerConnection: 1 });
    await connection.connect();
    const pending = [connection.request(ListGroups, listGroupsRequest), connection.request(ListGroups, listGroupsRequest)];
    const settled = pending.map((request) => request.catch((e: unknown) => e));
    const listener = new Promise((resolve) => connection.onClose(resolve));
    await connection.close();
    for (const error of await Promise.all(settled)) expect((error as Error).message).toMatch(/connection to broker 0 \(.*\) was closed by the client/);
    expect(await listener).toBeUndefined();
    await expect(connection.connect()).rejects.toThrow(KafkaConnectionError);
  });

  it('apiVersionsErrorFailsTheConnect', async () => {
    const broker = await fake({
      handlers: { [ApiVersions.apiKey]: (_b: unknown, v: number) => ({ ...fakeApiVersions(v), errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED }) },
    });
    await expect(connectionTo(broker).connect()).rejects.toThrow(/CLUSTER_AUTHORIZATION_FAILED from broker 0/);
  });
});

function fakeApiVersions(_version: number) {
  return { errorCode: 0, apiKeys: [], throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1n, finalizedFeatures: [], zkMigrationReady: false };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
