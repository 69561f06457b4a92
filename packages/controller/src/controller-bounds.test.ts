import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import type { Controller } from './controller.js';
import { ControllerFixture } from './controller.test-support.js';
import type { ConfigResourceResult, CreatableTopic, CreatableTopicResult } from '@kstream/metadata';

const fixture = new ControllerFixture();
beforeEach(() => fixture.setUp());
afterEach(() => fixture.cleanUp());

function topic(name: string, fields: Partial<CreatableTopic> = {}): CreatableTopic {
  return { name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [], ...fields };
}

async function createTopics(controller: Controller, topics: CreatableTopic[]): Promise<readonly CreatableTopicResult[]> {
  return (await controller.handle({ type: 'CreateTopics', topics, validateOnly: false })).topics;
}

async function growTo(controller: Controller, name: string, count: number) {
  const { results } = await controller.handle({ type: 'CreatePartitions', topics: [{ name, count, assignments: null }], validateOnly: false });
  return results[0]!;
}

/** Runs `request`, and returns its outcome with how long it took and how much the heap grew meanwhile. */
async function measured<T>(request: () => Promise<T>): Promise<{ result: T; ms: number; heapGrowth: number }> {
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  const result = await request();
  return { result, ms: performance.now() - start, heapGrowth: process.memoryUsage().heapUsed - heapBefore };
}

describe('request bounds', () => {
  it('hundredMillionPartitionsRefusedBeforePlacement: INVALID_PARTITIONS naming the limit, at once, nothing allocated', async () => {
    const controller = await fixture.openWithBrokers(3);
    const offset = controller.describe().metadataOffset;
    const { result, ms, heapGrowth } = await measured(() => createTopics(controller, [topic('huge', { numPartitions: 100_000_000 })]));
    expect(result[0]).toMatchObject({ errorCode: ErrorCode.INVALID_PARTITIONS, numPartitions: -1 });
    expect(result[0]!.errorMessage).toBe('Topic huge: 100000000 partitions requested; one request may add at most 10000 (max.partitions.per.request).');
    expect(ms).toBeLessThan(1_000);
    expect(heapGrowth).toBeLessThan(50 * 1024 * 1024);
    expect(controller.describe().metadataOffset).toBe(offset);
    expect((await createTopics(controller, [topic('after', { numPartitions: 3 })]))[0]!.errorCode).toBe(ErrorCode.NONE);
  });

  it('createPartitionsToHundredMillionRefused: INVALID_PARTITIONS naming the limit, the topic unchanged', async () => {
    const controller = await fixture.openWithBrokers(3);
    await createTopics(controller, [topic('t', { numPartitions: 2 })]);
    const { result, ms, heapGrowth } = await measured(() => growTo(controller, 't', 100_000_000));
    expect(result).toEqual({
      name: 't',
      errorCode: ErrorCode.INVALID_PARTITIONS,
      errorMessage: 'Topic t: 99999998 partitions requested; one request may add at most 10000 (max.partitions.per.request).',
    });
    expect(ms).toBeLessThan(1_000);
    expect(heapGrowth).toBeLessThan(50 * 1024 * 1024);
    expect(controller.metadata.topicByName('t')!.partitions).toHaveLength(2);
  });

  it('manualAssignmentOfTooManyPartitionsRefused: counted before it is sorted or copied', async () => {
    const controller = await fixture.openWithBrokers(1, { staticBrokerConfig: { 'max.partitions.per.request': '5' } });
    const assignments = Array.from({ length: 6 }, (_, partitionIndex) => ({ partitionIndex, brokerIds: [1] }));
    const [result] = await createTopics(controller, [topic('m', { assignments })]);
    expect(result).toMatchObject({ errorCode: ErrorCode.INVALID_PARTITIONS });
    expect(result!.errorMessage).toMatch(/6 partitions requested; one request may add at most 5 \(max\.partitions\.per\.request\)/);
  });

  it('replicationFactorAboveRegisteredBrokers: INVALID_REPLICATION_FACTOR, also for manual replica lists', async () => {
    const controller = await fixture.openWithBrokers(3);
    const [automatic] = await createTopics(controller, [topic('a', { numPartitions: 1, replicationFactor: 32767 })]);
    expect(automatic).toMatchObject({ errorCode: ErrorCode.INVALID_REPLICATION_FACTOR });
    expect(automatic!.errorMessage).toMatch(/32767 .*3 broker/);
    const [manual] = await createTopics(controller, [topic('m', { assignments: [{ partitionIndex: 0, brokerIds: [1, 2, 3, 4, 5] }] })]);
    expect(manual).toMatchObject({ errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT });
    expect(manual!.errorMessage).toMatch(/5 replicas .*only 3 broker\(s\) are registered/);
  });

  it('partitionsPerRequestSummedOverTopics: the topic that would pass the limit is POLICY_VIOLATION, the others are created', async () => {
    const controller = await fixture.openWithBrokers(1, { staticBrokerConfig: { 'max.partitions.per.request': '10' } });
    const results = await createTopics(controller, [topic('a', { numPartitions: 6 }), topic('b', { numPartitions: 6 }), topic('c', { numPartitions: 4 })]);
    expect(results.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.POLICY_VIOLATION, ErrorCode.NONE]);
    expect(results[1]!.errorMessage).toBe(
      'Topic b: 6 partitions requested, after 6 for the topics before it in this request; one request may add at most 10 (max.partitions.per.request).',
    );
    expect(controller.metadata.topicByName('b')).toBeUndefined();
  });

  it('clusterPartitionTotal: what the cluster holds plus what a request adds stays within max.partitions', async () => {
    const controller = await fixture.openWithBrokers(1, { staticBrokerConfig: { 'max.partitions': '10' } });
    expect((await createTopics(controller, [topic('a', { numPartitions: 6 })]))[0]!.errorCode).toBe(ErrorCode.NONE);
    const [refused] = await createTopics(controller, [topic('b', { numPartitions: 5 })]);
    expect(refused).toMatchObject({
      errorCode: ErrorCode.POLICY_VIOLATION,
      errorMessage: 'Topic b: 5 partitions requested; the cluster holds 6, and allows at most 10 (max.partitions).',
    });
    expect(await growTo(controller, 'a', 11)).toMatchObject({
      errorCode: ErrorCode.POLICY_VIOLATION,
      errorMessage: 'Topic a: 5 partitions requested; the cluster holds 6, and allows at most 10 (max.partitions).',
    });
    expect((await createTopics(controller, [topic('b', { numPartitions: 4 })]))[0]!.errorCode).toBe(ErrorCode.NONE);
    expect((await createTopics(controller, [topic('c', { numPartitions: 1 })]))[0]!.errorCode).toBe(ErrorCode.POLICY_VIOLATION);
  });

  it('configValueTooLong: INVALID_CONFIG naming config.value.max.bytes, before the value is parsed', async () => {
    const controller = await fixture.openWithBrokers(1);
    await createTopics(controller, [topic('t')]);
    const long = 'delete,'.repeat(100_000);
    const [created] = await createTopics(controller, [topic('u', { configs: [{ name: 'cleanup.policy', value: long }] })]);
    expect(created).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG });
    expect(created!.errorMessage).toBe('The value of config cleanup.policy is 700000 bytes; a config value may have at most 4096 (config.value.max.bytes).');
    const { resources } = await controller.handle({
      type: 'IncrementalAlterConfigs',
      resources: [{ resourceType: 'topic', resourceName: 't', configs: [{ name: 'cleanup.policy', operation: 'APPEND', value: long }] }],
      validateOnly: false,
    });
    expect(resources[0]).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: created!.errorMessage });
    expect(controller.metadata.configs('topic', 't').size).toBe(0);
  });

  it('alterConfigsOfManyResourcesIsLinear: duplicates found with a set, not a scan per resource', async () => {
    const controller = await fixture.openWithBrokers(1);
    const resources = Array.from({ length: 50_000 }, (_, i) => ({ resourceType: 'topic' as const, resourceName: `t${i}`, configs: [] }));
    const { result, ms } = await measured(() => controller.handle({ type: 'AlterConfigs', resources, validateOnly: true }));
    expect(result.resources.every((r: ConfigResourceResult) => r.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)).toBe(true);
    expect(ms).toBeLessThan(5_000);
  });
});
