import { apiByKey, ApiVersions, ErrorCode, Metadata, parseVersionRange, Produce } from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from '../network/raw-client.test-support.js';
import { startTestListener } from '../network/test-listener.test-support.js';
import type { TestListener } from '../network/test-listener.test-support.js';
import type { ApiHandler } from './handler.js';
import { brokerHandlers, HandlerRegistry } from './registry.js';

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
      const { min, max } = parseVersionRange(apiByKey(apiKey)!.validVersions);
      expect([minVersion, maxVersion]).toEqual([min, max]);
    }
    expect(response.apiKeys).toContainEqual({ apiKey: ApiVersions.apiKey, minVersion: 0, maxVersion: 4 });
    expect(response.apiKeys).toContainEqual({ apiKey: Metadata.apiKey, minVersion: 0, maxVersion: 12 });
    expect(response).toMatchObject({ supportedFeatures: [], finalizedFeaturesEpoch: -1n, finalizedFeatures: [] });
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

describe('HandlerRegistry', () => {
  const narrowProduce: ApiHandler<typeof Produce> = { api: Produce, versions: '5-9', handle: () => Promise.reject(new Error('unused')) };

  it('narrowerVersions: a handler range narrower than its schema is what is advertised', () => {
    expect(new HandlerRegistry([narrowProduce]).advertised).toContainEqual({ apiKey: Produce.apiKey, minVersion: 5, maxVersion: 9 });
  });

  it('refusesMistakes: two handlers for one API, or versions beyond the schema, fail at startup naming the API', () => {
    expect(() => new HandlerRegistry([narrowProduce, narrowProduce])).toThrow('two handlers registered for Produce (apiKey 0)');
    expect(() => new HandlerRegistry([{ ...narrowProduce, versions: '3-12' }])).toThrow("the Produce handler's versions 3-12 exceed the schema's 3-11");
  });
});
