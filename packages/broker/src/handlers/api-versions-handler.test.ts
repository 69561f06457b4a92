import {
  AddOffsetsToTxn,
  AddPartitionsToTxn,
  apiByKey,
  ApiVersions,
  DescribeProducers,
  DescribeTransactions,
  EndTxn,
  InitProducerId,
  ListTransactions,
  TxnOffsetCommit,
  WriteTxnMarkers,
  DeleteGroups,
  DescribeGroups,
  ErrorCode,
  FindCoordinator,
  Heartbeat,
  JoinGroup,
  LeaveGroup,
  ListGroups,
  Metadata,
  OffsetCommit,
  OffsetDelete,
  OffsetFetch,
  parseVersionRange,
  Produce,
  SyncGroup,
} from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from '../network/raw-client.test-support.js';
import { startTestListener } from '../network/test-listener.test-support.js';
import type { TestListener } from '../network/test-listener.test-support.js';
import type { ApiHandler } from './handler.js';
import { brokerHandlers, handledVersions, HandlerRegistry } from './registry.js';

let listener: TestListener | undefined;
let client: RawClient | undefined;
afterEach(async () => {
  client?.close();
  await listener?.close();
});

async function connect(): Promise<RawClient> {
  listener = await startTestListener(brokerHandlers);
  client = await RawClient.connect(listener.port);
  return client;
}

describe('ApiVersions', () => {
  it('advertisesTheRegistry: every registered API with its handled versions, ApiVersions included, in key order', async () => {
    const c = await connect();
    const response = await c.request(ApiVersions, 3, { clientSoftwareName: 'kstream-test', clientSoftwareVersion: '1.0.0' });
    expect(response.errorCode).toBe(0);
    expect(response.apiKeys).toEqual(brokerHandlers.advertised);
    const keys = response.apiKeys.map((a) => a.apiKey);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
    for (const { apiKey, minVersion, maxVersion } of response.apiKeys) {
      if (apiKey === Produce.apiKey) continue;
      const { min, max } = parseVersionRange(apiByKey(apiKey)!.validVersions);
      expect([minVersion, maxVersion]).toEqual([min, max]);
    }
    expect(response.apiKeys).toContainEqual({ apiKey: ApiVersions.apiKey, minVersion: 0, maxVersion: 4 });
    expect(response.apiKeys).toContainEqual({ apiKey: Produce.apiKey, minVersion: 0, maxVersion: 11 });
    expect(response.apiKeys).toContainEqual({ apiKey: Metadata.apiKey, minVersion: 0, maxVersion: 12 });
    expect(response).toMatchObject({ supportedFeatures: [], finalizedFeaturesEpoch: -1n, finalizedFeatures: [] });
  });

  it('groupApisFromV0: librdkafka enables groups only if FindCoordinator, JoinGroup, SyncGroup, Heartbeat and LeaveGroup start at v0 and OffsetCommit covers v1–2', async () => {
    const c = await connect();
    const { apiKeys } = await c.request(ApiVersions, 3, { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' });
    const range = (api: { apiKey: number }) => apiKeys.find((a) => a.apiKey === api.apiKey);
    for (const api of [FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, ListGroups, DescribeGroups, DeleteGroups, OffsetDelete]) {
      expect(range(api), api.name).toEqual({ apiKey: api.apiKey, minVersion: 0, maxVersion: parseVersionRange(api.validVersions).max });
    }
  });

  it("transactionApis: a transactional producer, its admin and markers find every exactly-once API at Kafka's versions", async () => {
    const c = await connect();
    const { apiKeys } = await c.request(ApiVersions, 3, { clientSoftwareName: 'kafkajs', clientSoftwareVersion: '2.2.4' });
    const expected = [
      [InitProducerId, 0, 5],
      [AddPartitionsToTxn, 0, 4],
      [AddOffsetsToTxn, 0, 4],
      [EndTxn, 0, 4],
      [WriteTxnMarkers, 0, 1],
      [TxnOffsetCommit, 0, 4],
      [DescribeProducers, 0, 0],
      [DescribeTransactions, 0, 0],
      [ListTransactions, 0, 1],
    ] as const;
    for (const [api, minVersion, maxVersion] of expected) {
      expect(
        apiKeys.find((a) => a.apiKey === api.apiKey),
        api.name,
      ).toEqual({ apiKey: api.apiKey, minVersion, maxVersion });
    }
  });

  it('everyVersion: v0 to v4 answer with the same list', async () => {
    const c = await connect();
    for (const version of [0, 1, 2, 3, 4]) {
      const response = await c.request(ApiVersions, version, { clientSoftwareName: 'kcat', clientSoftwareVersion: '1.7.1' });
      expect(response.errorCode).toBe(0);
      expect(response.apiKeys).toEqual(brokerHandlers.advertised);
    }
  });

  it('invalidClientSoftware: v3+ names that break Kafka pattern are INVALID_REQUEST with no list', async () => {
    const c = await connect();
    for (const [name, version] of [
      ['-starts-with-dash', '1.0'],
      ['ok', 'ends.with.dot.'],
      ['', '1.0'],
      ['spaces in name', '1'],
    ]) {
      const response = await c.request(ApiVersions, 3, { clientSoftwareName: name!, clientSoftwareVersion: version! });
      expect(response).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, apiKeys: [] });
    }
  });
});

/** A genuine Produce v2 request frame (acks=1, one empty partition): a version Kafka 4 advertises but refuses. */
function produceV2Frame(correlationId: number): Buffer {
  const clientId = Buffer.from('old-client');
  const topic = Buffer.from('orders');
  const body = Buffer.alloc(2 + 4 + 4 + 2 + topic.length + 4 + 4 + 4);
  let at = body.writeInt16BE(1, 0);
  at = body.writeInt32BE(30_000, at);
  at = body.writeInt32BE(1, at);
  at = body.writeInt16BE(topic.length, at);
  at += topic.copy(body, at);
  at = body.writeInt32BE(1, at);
  at = body.writeInt32BE(0, at);
  body.writeInt32BE(0, at);
  const header = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  at = header.writeInt16BE(Produce.apiKey, 0);
  at = header.writeInt16BE(2, at);
  at = header.writeInt32BE(correlationId, at);
  at = header.writeInt16BE(clientId.length, at);
  clientId.copy(header, at);
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + body.length);
  return Buffer.concat([size, header, body]);
}

describe('Produce v0–2 (KAFKA-18659)', () => {
  it('advertisedButRefused: ApiVersions lists Produce 0–11, a v2 request closes its connection with a logged reason, other connections carry on', async () => {
    const c = await connect();
    const other = await RawClient.connect(listener!.port);
    try {
      const versions = await c.request(ApiVersions, 3, { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' });
      expect(versions.apiKeys).toContainEqual({ apiKey: Produce.apiKey, minVersion: 0, maxVersion: 11 });

      c.write(produceV2Frame(41));
      await c.closed;
      expect(c.frames).toHaveLength(1);
      expect(listener!.logger.lines.some((l) => l.includes('Produce (apiKey 0) v2') && l.includes('supported versions 3-11'))).toBe(true);

      expect(other.isClosed).toBe(false);
      expect((await other.request(ApiVersions, 4, { clientSoftwareName: 'kcat', clientSoftwareVersion: '1.7.1' })).errorCode).toBe(0);
    } finally {
      other.close();
    }
  });
});

describe('HandlerRegistry', () => {
  const narrowProduce: ApiHandler<typeof Produce> = { api: Produce, versions: '5-9', handle: () => Promise.reject(new Error('unused')) };

  it('narrowerVersions: a handler range narrower than its schema is what is advertised', () => {
    expect(new HandlerRegistry([narrowProduce]).advertised).toContainEqual({ apiKey: Produce.apiKey, minVersion: 5, maxVersion: 9 });
  });

  it('refusesMistakes: two handlers for one API, or versions beyond the schema, fail at startup naming the API', () => {
    expect(() => new HandlerRegistry([narrowProduce, narrowProduce])).toThrow('two handlers registered for Produce (apiKey 0)');
    expect(() => new HandlerRegistry([{ ...narrowProduce, versions: '3-12' }])).toThrow("the Produce handler's versions 3-12 exceed the schema's 3-11");
  });

  it('advertisedVersions: older versions may be claimed beyond those served; ApiVersions shows them, dispatch still refuses them', () => {
    const registry = new HandlerRegistry([{ ...narrowProduce, advertisedVersions: '0-9' }]);
    expect(registry.advertised).toContainEqual({ apiKey: Produce.apiKey, minVersion: 0, maxVersion: 9 });
    expect(handledVersions(registry.handlerFor(Produce.apiKey)!)).toBe('5-9');
  });

  it('advertisedVersionsMistakes: a claim that misses served versions or reaches past them fails at startup naming the API', () => {
    for (const advertisedVersions of ['6-9', '0-10', '0-8']) {
      expect(() => new HandlerRegistry([{ ...narrowProduce, advertisedVersions }])).toThrow(
        `the Produce handler's advertised versions ${advertisedVersions} must cover its versions 5-9 and add only older ones`,
      );
    }
  });
});
