import { AlterConfigs, CreatePartitions, CreateTopics, DescribeConfigs, ErrorCode, Metadata } from '@kstream/protocol';
import type { RequestOf } from '@kstream/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BrokerCluster } from './broker-cluster.test-support.js';

type CreatableTopic = RequestOf<typeof CreateTopics>['topics'][number];

const topic = (name: string, numPartitions: number, more: Partial<CreatableTopic> = {}): CreatableTopic => ({
  name,
  numPartitions,
  replicationFactor: 1,
  assignments: [],
  configs: [],
  ...more,
});

const TOPIC_RESOURCE = 2;

describe('request bounds at the broker', () => {
  let cluster: BrokerCluster;
  beforeAll(async () => {
    cluster = await BrokerCluster.start({ brokers: 2, config: { 'max.partitions.per.request': '100' } });
    const client = await cluster.client();
    await client.request(CreateTopics, 7, { topics: [topic('existing', 2)], timeoutMs: 5_000, validateOnly: false });
  });
  afterAll(() => cluster.stop());
  afterEach(() => vi.restoreAllMocks());

  /** The admin requests that reached the controller from the moment it is called. */
  function controllerRequests(): string[] {
    const handle = vi.spyOn(cluster.controller, 'handle');
    return new Proxy([], {
      get: (_, key) =>
        Reflect.get(
          handle.mock.calls.map(([msg]) => msg.type).filter((t) => t !== 'BrokerHeartbeat'),
          key,
        ),
    });
  }

  it('createTopicsWithHundredMillionPartitions: INVALID_PARTITIONS naming the limit, answered by the broker at once, the node still answering', async () => {
    const client = await cluster.client();
    const asked = controllerRequests();
    const offset = cluster.controller.describe().metadataOffset;
    const start = performance.now();
    const response = await client.request(CreateTopics, 7, { topics: [topic('huge', 100_000_000)], timeoutMs: 5_000, validateOnly: false });
    expect(performance.now() - start).toBeLessThan(1_000);
    expect(response.topics[0]).toMatchObject({
      name: 'huge',
      errorCode: ErrorCode.INVALID_PARTITIONS,
      errorMessage: 'Topic huge: 100000000 partitions requested; one request may add at most 100 (max.partitions.per.request).',
      numPartitions: -1,
    });
    expect([...asked]).toEqual([]);
    expect(cluster.controller.describe().metadataOffset).toBe(offset);
    const metadata = await client.request(Metadata, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    expect(metadata.topics.map((t) => t.name)).toEqual(['existing']);
  });

  it('createTopicsOverBrokersAndConfigSize: replication factor and config value refused here; valid topics of the same request still created', async () => {
    const client = await cluster.client();
    const asked = controllerRequests();
    const response = await client.request(CreateTopics, 7, {
      topics: [topic('wide', 1, { replicationFactor: 3 }), topic('long-config', 1, { configs: [{ name: 'cleanup.policy', value: 'delete,'.repeat(1_000) }] }), topic('fine', 1)],
      timeoutMs: 5_000,
      validateOnly: false,
    });
    expect(response.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['wide', ErrorCode.INVALID_REPLICATION_FACTOR],
      ['long-config', ErrorCode.INVALID_CONFIG],
      ['fine', ErrorCode.NONE],
    ]);
    expect(response.topics[0]!.errorMessage).toMatch(/replication factor of 3 cannot be reached because only 2 broker\(s\) are registered/);
    expect(response.topics[1]!.errorMessage).toMatch(/7000 bytes; a config value may have at most 4096 \(config\.value\.max\.bytes\)/);
    expect([...asked]).toEqual(['CreateTopics']);
    expect(cluster.controller.metadata.topicByName('fine')).toBeDefined();
  });

  it('createTopicsListingTooManyTopics: POLICY_VIOLATION for each, nothing forwarded', async () => {
    const client = await cluster.client();
    const asked = controllerRequests();
    const topics = Array.from({ length: 101 }, (_, i) => topic(`many-${i}`, 1));
    const response = await client.request(CreateTopics, 7, { topics, timeoutMs: 5_000, validateOnly: false });
    expect(new Set(response.topics.map((t) => t.errorCode))).toEqual(new Set([ErrorCode.POLICY_VIOLATION]));
    expect(response.topics[0]!.errorMessage).toBe(
      'CreateTopics lists 101 topics; one request may add at most 100 partitions (max.partitions.per.request), at least one per topic.',
    );
    expect([...asked]).toEqual([]);
  });

  it('createPartitionsListingTooManyTopics: POLICY_VIOLATION for each, nothing forwarded', async () => {
    const client = await cluster.client();
    const asked = controllerRequests();
    const topics = Array.from({ length: 101 }, (_, i) => ({ name: `many-${i}`, count: 2, assignments: null }));
    const response = await client.request(CreatePartitions, 3, { topics, timeoutMs: 5_000, validateOnly: false });
    expect(new Set(response.results.map((r) => r.errorCode))).toEqual(new Set([ErrorCode.POLICY_VIOLATION]));
    expect(response.results[0]!.errorMessage).toBe(
      'CreatePartitions lists 101 topics; one request may add at most 100 partitions (max.partitions.per.request), at least one per topic.',
    );
    expect([...asked]).toEqual([]);
  });

  it('createPartitionsToHundredMillion: INVALID_PARTITIONS naming the limit, answered by the broker, the topic unchanged', async () => {
    const client = await cluster.client();
    const asked = controllerRequests();
    const response = await client.request(CreatePartitions, 3, {
      topics: [{ name: 'existing', count: 100_000_000, assignments: null }],
      timeoutMs: 5_000,
      validateOnly: false,
    });
    expect(response.results[0]).toMatchObject({
      name: 'existing',
      errorCode: ErrorCode.INVALID_PARTITIONS,
      errorMessage: 'Topic existing: 99999998 partitions requested; one request may add at most 100 (max.partitions.per.request).',
    });
    expect([...asked]).toEqual([]);
    expect(cluster.controller.metadata.topicByName('existing')!.partitions).toHaveLength(2);
  });

  it('alterConfigsWithHugeValue: INVALID_CONFIG naming config.value.max.bytes; the value never reaches the controller', async () => {
    const client = await cluster.client();
    const asked = controllerRequests();
    const response = await client.request(AlterConfigs, 2, {
      resources: [{ resourceType: TOPIC_RESOURCE, resourceName: 'existing', configs: [{ name: 'retention.ms', value: '1'.repeat(30_000) }] }],
      validateOnly: false,
    });
    expect(response.responses[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: 'The value of config retention.ms is 30000 bytes; a config value may have at most 4096 (config.value.max.bytes).',
    });
    expect([...asked]).toEqual([]);
  });

  it('metadataListingThousandUnknownTopics: one CreateTopics for at most max.partitions.per.request of them, not one per name', async () => {
    const client = await cluster.client();
    const handle = vi.spyOn(cluster.controller, 'handle');
    const names = Array.from({ length: 1_000 }, (_, i) => `auto-${i}`);
    const response = await client.request(Metadata, 9, {
      topics: names.map((name) => ({ topicId: '00000000-0000-0000-0000-000000000000', name })),
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    expect(new Set(response.topics.map((t) => t.errorCode))).toEqual(new Set([ErrorCode.LEADER_NOT_AVAILABLE]));
    await expect.poll(() => cluster.controller.metadata.topicByName('auto-99')).toBeDefined();
    const creates = handle.mock.calls.map(([msg]) => msg).filter((msg) => msg.type === 'CreateTopics');
    expect(creates.map((msg) => (msg.type === 'CreateTopics' ? msg.topics.length : 0))).toEqual([100]);
    expect(cluster.controller.metadata.topicByName('auto-100')).toBeUndefined();
  });

  it('describeConfigsRepeatingOneResource: each copy is INVALID_REQUEST; the response does not grow with the repeats', async () => {
    const client = await cluster.client();
    const BROKER_RESOURCE = 4;
    const repeats = Array.from({ length: 10_000 }, () => ({ resourceType: BROKER_RESOURCE, resourceName: '1', configurationKeys: null }));
    const response = await client.request(DescribeConfigs, 4, {
      resources: [...repeats, { resourceType: TOPIC_RESOURCE, resourceName: 'existing', configurationKeys: null }],
      includeSynonyms: true,
      includeDocumentation: true,
    });
    const [first] = response.results;
    expect(first).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Resource "1" of type 4 is listed more than once.', configs: [] });
    expect(response.results.slice(0, -1).every((r) => r.errorCode === ErrorCode.INVALID_REQUEST && r.configs.length === 0)).toBe(true);
    expect(response.results.at(-1)!.configs.length).toBeGreaterThan(0);
  });
});
