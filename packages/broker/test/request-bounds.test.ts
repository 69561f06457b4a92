import { AlterConfigs, CreatePartitions, CreateTopics, ErrorCode, Metadata } from '@kstream/protocol';
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
    return new Proxy([], { get: (_, key) => Reflect.get(handle.mock.calls.map(([msg]) => msg.type).filter((t) => t !== 'BrokerHeartbeat'), key) });
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
      topics: [
        topic('wide', 1, { replicationFactor: 3 }),
        topic('long-config', 1, { configs: [{ name: 'cleanup.policy', value: 'delete,'.repeat(1_000) }] }),
        topic('fine', 1),
      ],
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
});
