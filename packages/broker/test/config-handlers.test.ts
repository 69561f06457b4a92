import { ConfigSource, ConfigType } from '@kstream/metadata';
import { AlterConfigs, CreateTopics, DescribeConfigs, ErrorCode, IncrementalAlterConfigs } from '@kstream/protocol';
import type { RequestOf, ResponseOf } from '@kstream/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawClient } from '../src/network/raw-client.test-support.js';
import { BrokerCluster } from './broker-cluster.test-support.js';

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;

type DescribeResource = RequestOf<typeof DescribeConfigs>['resources'][number];
type DescribedResult = ResponseOf<typeof DescribeConfigs>['results'][number];

const describeRequest = (resources: DescribeResource[], includeSynonyms = true, includeDocumentation = true): RequestOf<typeof DescribeConfigs> => ({
  resources,
  includeSynonyms,
  includeDocumentation,
});

const entry = (result: DescribedResult, name: string) => result.configs.find((c) => c.name === name);

async function createTopic(client: RawClient, name: string, configs: { name: string; value: string }[] = []): Promise<void> {
  const response = await client.request(CreateTopics, 7, {
    topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs }],
    timeoutMs: 5_000,
    validateOnly: false,
  });
  expect(response.topics[0]!.errorCode).toBe(0);
}

async function describeTopic(client: RawClient, name: string, version = 4): Promise<DescribedResult> {
  return (await client.request(DescribeConfigs, version, describeRequest([{ resourceType: TOPIC, resourceName: name, configurationKeys: null }]))).results[0]!;
}

describe('config handlers', () => {
  let cluster: BrokerCluster;
  let client: RawClient;
  beforeAll(async () => {
    cluster = await BrokerCluster.start({ config: { 'log.retention.hours': '48' } });
    client = await cluster.client();
    await createTopic(client, 'configured', [{ name: 'cleanup.policy', value: 'compact' }]);
  });
  afterAll(() => cluster.stop());

  describe('DescribeConfigs', () => {
    it('topicWithSynonyms: own values are TOPIC_CONFIG; others come from broker synonyms converted to the topic unit, with type and documentation', async () => {
      const result = await describeTopic(client, 'configured');
      expect(result).toMatchObject({ errorCode: 0, errorMessage: null, resourceType: TOPIC, resourceName: 'configured' });
      expect(entry(result, 'cleanup.policy')).toMatchObject({
        value: 'compact',
        configSource: ConfigSource.TOPIC_CONFIG,
        readOnly: false,
        isSensitive: false,
        configType: ConfigType.LIST,
        synonyms: [
          { name: 'cleanup.policy', value: 'compact', source: ConfigSource.TOPIC_CONFIG },
          { name: 'log.cleanup.policy', value: 'delete', source: ConfigSource.DEFAULT_CONFIG },
        ],
      });
      const retention = entry(result, 'retention.ms')!;
      expect(retention).toMatchObject({ value: String(48 * 3_600_000), configSource: ConfigSource.STATIC_BROKER_CONFIG, configType: ConfigType.LONG });
      expect(retention.synonyms).toContainEqual({ name: 'log.retention.hours', value: '48', source: ConfigSource.STATIC_BROKER_CONFIG });
      expect(retention.documentation).toMatch(/./);
    });

    it('versionsAndFlags: v0 has isDefault and no synonyms; without includeSynonyms / includeDocumentation they are left out', async () => {
      const v0 = await describeTopic(client, 'configured', 0);
      expect(entry(v0, 'cleanup.policy')).toMatchObject({ isDefault: false, synonyms: [] });
      expect(entry(v0, 'segment.bytes')).toMatchObject({ isDefault: true });
      const bare = (await client.request(DescribeConfigs, 3, describeRequest([{ resourceType: TOPIC, resourceName: 'configured', configurationKeys: null }], false, false)))
        .results[0]!;
      expect(entry(bare, 'retention.ms')).toMatchObject({ synonyms: [], documentation: null });
    });

    it('configurationKeys: only the keys asked for; unknown keys are left out', async () => {
      const response = await client.request(
        DescribeConfigs,
        4,
        describeRequest([{ resourceType: TOPIC, resourceName: 'configured', configurationKeys: ['retention.ms', 'no.such.key'] }]),
      );
      expect(response.results[0]!.configs.map((c) => c.name)).toEqual(['retention.ms']);
    });

    it('brokerResource: a broker id shows static and default broker configs; the sensitive-free values are shown', async () => {
      const response = await client.request(DescribeConfigs, 2, describeRequest([{ resourceType: BROKER, resourceName: '1', configurationKeys: null }]));
      const [result] = response.results;
      expect(result!.errorCode).toBe(0);
      expect(entry(result!, 'log.retention.hours')).toMatchObject({ value: '48', configSource: ConfigSource.STATIC_BROKER_CONFIG });
      expect(entry(result!, 'num.partitions')).toMatchObject({ value: '1', configSource: ConfigSource.DEFAULT_CONFIG, readOnly: true });
    });

    it('errorsPerResource: unknown topic, invalid name, unregistered broker, unsupported type — and the valid resource is still described', async () => {
      const response = await client.request(
        DescribeConfigs,
        4,
        describeRequest([
          { resourceType: TOPIC, resourceName: 'missing', configurationKeys: null },
          { resourceType: TOPIC, resourceName: 'bad name!', configurationKeys: null },
          { resourceType: BROKER, resourceName: '7', configurationKeys: null },
          { resourceType: BROKER_LOGGER, resourceName: '1', configurationKeys: null },
          { resourceType: TOPIC, resourceName: 'configured', configurationKeys: ['cleanup.policy'] },
        ]),
      );
      expect(response.results.map((r) => [r.resourceName, r.errorCode, r.configs.length])).toEqual([
        ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0],
        ['bad name!', ErrorCode.INVALID_TOPIC_EXCEPTION, 0],
        ['7', ErrorCode.INVALID_REQUEST, 0],
        ['1', ErrorCode.INVALID_REQUEST, 0],
        ['configured', ErrorCode.NONE, 1],
      ]);
      for (const r of response.results.slice(0, 4)) expect(r.errorMessage).toMatch(/./);
    });
  });

  describe('AlterConfigs', () => {
    it('replacesTheSet: named keys take the values; keys left out go back to their defaults; validateOnly changes nothing', async () => {
      await createTopic(client, 'altered', [{ name: 'retention.ms', value: '1000' }]);
      const alter = (configs: { name: string; value: string | null }[], validateOnly: boolean) =>
        client.request(AlterConfigs, 1, { resources: [{ resourceType: TOPIC, resourceName: 'altered', configs }], validateOnly });

      expect((await alter([{ name: 'segment.ms', value: '60000' }], true)).responses[0]!.errorCode).toBe(0);
      expect(entry(await describeTopic(client, 'altered'), 'retention.ms')!.value).toBe('1000');

      const response = await alter([{ name: 'segment.ms', value: '60000' }], false);
      expect(response.responses).toEqual([{ errorCode: 0, errorMessage: null, resourceType: TOPIC, resourceName: 'altered' }]);
      const described = await describeTopic(client, 'altered');
      expect(entry(described, 'segment.ms')).toMatchObject({ value: '60000', configSource: ConfigSource.TOPIC_CONFIG });
      expect(entry(described, 'retention.ms')!.configSource).toBe(ConfigSource.STATIC_BROKER_CONFIG);
    });

    it('dynamicBrokerConfig: a broker key set on the broker shows as DYNAMIC_BROKER_CONFIG, in the broker config the handlers read, and as topic defaults', async () => {
      const response = await client.request(AlterConfigs, 2, {
        resources: [{ resourceType: BROKER, resourceName: '1', configs: [{ name: 'log.retention.ms', value: '5000' }] }],
        validateOnly: false,
      });
      expect(response.responses[0]!.errorCode).toBe(0);
      expect(cluster.broker(1).services.config['log.retention.ms']).toBe(5000);
      const retention = entry(await describeTopic(client, 'configured'), 'retention.ms')!;
      expect(retention).toMatchObject({ value: '5000', configSource: ConfigSource.DYNAMIC_BROKER_CONFIG });
      await client.request(AlterConfigs, 2, { resources: [{ resourceType: BROKER, resourceName: '1', configs: [] }], validateOnly: false });
      expect(cluster.broker(1).services.config['log.retention.ms']).toBeNull();
    });

    it('errorsPerResource: bad value, unknown key, read-only key, unknown topic, unsupported type; the valid resource still applies', async () => {
      await createTopic(client, 'alter-target');
      const response = await client.request(AlterConfigs, 0, {
        resources: [
          { resourceType: TOPIC, resourceName: 'configured', configs: [{ name: 'retention.ms', value: 'forever' }] },
          { resourceType: TOPIC, resourceName: 'configured', configs: [{ name: 'no.such.key', value: '1' }] },
          { resourceType: BROKER, resourceName: '', configs: [{ name: 'num.partitions', value: '9' }] },
          { resourceType: TOPIC, resourceName: 'missing', configs: [] },
          { resourceType: BROKER_LOGGER, resourceName: '1', configs: [] },
          { resourceType: TOPIC, resourceName: 'alter-target', configs: [{ name: 'retention.ms', value: '2000' }] },
        ],
        validateOnly: false,
      });
      expect(response.responses.map((r) => [r.resourceName, r.errorCode])).toEqual([
        ['configured', ErrorCode.INVALID_REQUEST],
        ['configured', ErrorCode.INVALID_REQUEST],
        ['', ErrorCode.INVALID_CONFIG],
        ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ['1', ErrorCode.INVALID_REQUEST],
        ['alter-target', ErrorCode.NONE],
      ]);
      const single = await client.request(AlterConfigs, 0, {
        resources: [{ resourceType: TOPIC, resourceName: 'configured', configs: [{ name: 'retention.ms', value: 'forever' }] }],
        validateOnly: false,
      });
      expect(single.responses[0]!.errorCode).toBe(ErrorCode.INVALID_CONFIG);
      expect(single.responses[0]!.errorMessage).toContain('retention.ms');
      expect(single.responses[0]!.errorMessage).toContain('forever');
      const unknownKey = await client.request(AlterConfigs, 0, {
        resources: [{ resourceType: TOPIC, resourceName: 'configured', configs: [{ name: 'no.such.key', value: '1' }] }],
        validateOnly: false,
      });
      expect(unknownKey.responses[0]!.errorCode).toBe(ErrorCode.INVALID_CONFIG);
      expect(entry(await describeTopic(client, 'alter-target'), 'retention.ms')!.value).toBe('2000');
      expect(entry(await describeTopic(client, 'configured'), 'cleanup.policy')!.value).toBe('compact');
    });
  });

  describe('IncrementalAlterConfigs', () => {
    const incremental = (resourceName: string, configs: { name: string; configOperation: number; value: string | null }[], resourceType = TOPIC) =>
      client.request(IncrementalAlterConfigs, 1, { resources: [{ resourceType, resourceName, configs }], validateOnly: false });

    it('operations: SET, APPEND and SUBTRACT of list items, DELETE back to the default', async () => {
      await createTopic(client, 'incremental');
      const policy = async () => entry(await describeTopic(client, 'incremental'), 'cleanup.policy')!;
      expect((await incremental('incremental', [{ name: 'cleanup.policy', configOperation: 2, value: 'compact' }])).responses[0]!.errorCode).toBe(0);
      expect((await policy()).value).toBe('delete,compact');
      await incremental('incremental', [{ name: 'cleanup.policy', configOperation: 3, value: 'delete' }]);
      expect((await policy()).value).toBe('compact');
      await incremental('incremental', [{ name: 'retention.ms', configOperation: 0, value: '3000' }]);
      expect(entry(await describeTopic(client, 'incremental'), 'retention.ms')!.value).toBe('3000');
      await incremental('incremental', [{ name: 'cleanup.policy', configOperation: 1, value: null }]);
      expect(await policy()).toMatchObject({ value: 'delete', configSource: ConfigSource.DEFAULT_CONFIG });
      expect(entry(await describeTopic(client, 'incremental'), 'retention.ms')!.value).toBe('3000');
    });

    it('clusterWideDefault: a broker key set on the "" resource shows there as DYNAMIC_DEFAULT_BROKER_CONFIG', async () => {
      await incremental('', [{ name: 'log.segment.bytes', configOperation: 0, value: '1048576' }], BROKER);
      const response = await client.request(DescribeConfigs, 4, describeRequest([{ resourceType: BROKER, resourceName: '', configurationKeys: null }]));
      expect(response.results[0]!.configs.map((c) => [c.name, c.value, c.configSource])).toEqual([['log.segment.bytes', '1048576', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG]]);
      await incremental('', [{ name: 'log.segment.bytes', configOperation: 1, value: null }], BROKER);
    });

    it('errors: APPEND to a non-list key, SET without a value, an unknown operation, an unsupported type', async () => {
      const response = await client.request(IncrementalAlterConfigs, 0, {
        resources: [
          { resourceType: TOPIC, resourceName: 'configured', configs: [{ name: 'retention.ms', configOperation: 2, value: '1' }] },
          { resourceType: BROKER, resourceName: '1', configs: [{ name: 'log.retention.ms', configOperation: 0, value: null }] },
          { resourceType: BROKER, resourceName: '', configs: [{ name: 'log.retention.ms', configOperation: 7, value: '1' }] },
          { resourceType: 16, resourceName: 'metrics', configs: [] },
        ],
        validateOnly: false,
      });
      expect(response.responses.map((r) => [r.resourceName, r.errorCode])).toEqual([
        ['configured', ErrorCode.INVALID_CONFIG],
        ['1', ErrorCode.INVALID_REQUEST],
        ['', ErrorCode.INVALID_REQUEST],
        ['metrics', ErrorCode.INVALID_REQUEST],
      ]);
      expect(response.responses[2]!.errorMessage).toContain('operation 7');
    });
  });

  it('kafkajs: describeConfigs and alterConfigs round-trip a topic config', async () => {
    const admin = await cluster.admin();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: TOPIC,
          name: 'configured',
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'retention.ms', value: '7000' },
          ],
        },
      ],
    });
    const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC, name: 'configured', configNames: ['retention.ms'] }] });
    expect(resources[0]!.configEntries).toMatchObject([{ configName: 'retention.ms', configValue: '7000', isDefault: false }]);
  });
});
