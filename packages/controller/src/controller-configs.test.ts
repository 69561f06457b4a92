import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import type { Controller } from './controller.js';
import { ControllerFixture } from './controller.test-support.js';
import type { AlterableConfig, ConfigEntry, ConfigResource } from '@kstream/metadata';

const fixture = new ControllerFixture();
beforeEach(() => fixture.setUp());
afterEach(() => fixture.cleanUp());

async function withTopic(name = 't'): Promise<Controller> {
  const controller = await fixture.openWithBrokers(1);
  await controller.handle({
    type: 'CreateTopics',
    topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '1000' }] }],
    validateOnly: false,
  });
  return controller;
}

const topicResource = (name = 't'): ConfigResource => ({ resourceType: 'topic', resourceName: name });
const brokerResource = (name: string): ConfigResource => ({ resourceType: 'broker', resourceName: name });

async function incremental(controller: Controller, resource: ConfigResource, configs: AlterableConfig[], validateOnly = false) {
  const reply = await controller.handle({ type: 'IncrementalAlterConfigs', resources: [{ ...resource, configs }], validateOnly });
  return reply.resources[0]!;
}

async function alter(controller: Controller, resource: ConfigResource, configs: ConfigEntry[]) {
  const reply = await controller.handle({ type: 'AlterConfigs', resources: [{ ...resource, configs }], validateOnly: false });
  return reply.resources[0]!;
}

const configsOf = (controller: Controller, { resourceType, resourceName }: ConfigResource) => Object.fromEntries(controller.metadata.configs(resourceType, resourceName));

describe('AlterConfigs', () => {
  it('replacesTheWholeSet: keys left out go back to their defaults', async () => {
    const controller = await withTopic();
    const result = await alter(controller, topicResource(), [
      { name: 'segment.bytes', value: '1048576' },
      { name: 'cleanup.policy', value: 'compact' },
    ]);
    expect(result).toEqual({ resourceType: 'topic', resourceName: 't', errorCode: 0, errorMessage: null });
    expect(configsOf(controller, topicResource())).toEqual({ 'segment.bytes': '1048576', 'cleanup.policy': 'compact' });
  });

  it('oneBadKeyRefusesTheResource, other resources still change', async () => {
    const controller = await withTopic();
    await controller.handle({
      type: 'CreateTopics',
      topics: [{ name: 'u', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      validateOnly: false,
    });
    const reply = await controller.handle({
      type: 'AlterConfigs',
      resources: [
        {
          ...topicResource('t'),
          configs: [
            { name: 'segment.bytes', value: '1048576' },
            { name: 'max.message.bytes', value: '-5' },
          ],
        },
        { ...topicResource('u'), configs: [{ name: 'min.insync.replicas', value: '2' }] },
      ],
      validateOnly: false,
    });
    expect(reply.resources.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_CONFIG, 0]);
    expect(reply.resources[0]!.errorMessage).toBe('Invalid value "-5" for configuration max.message.bytes: must be an int from 0 to 2147483647');
    expect(configsOf(controller, topicResource('t'))).toEqual({ 'retention.ms': '1000' });
    expect(configsOf(controller, topicResource('u'))).toEqual({ 'min.insync.replicas': '2' });
  });

  it('unknownTopic, bad broker names, duplicate resources and keys', async () => {
    const controller = await withTopic();
    expect(await alter(controller, topicResource('nope'), [])).toMatchObject({
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      errorMessage: 'Topic nope does not exist.',
    });
    expect(await alter(controller, brokerResource('one'), [])).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `Broker resource name "one" is neither a broker id nor '' (the cluster-wide default).`,
    });
    const reply = await controller.handle({
      type: 'AlterConfigs',
      resources: [
        { ...topicResource(), configs: [] },
        { ...topicResource(), configs: [] },
      ],
      validateOnly: false,
    });
    expect(reply.resources.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
    expect(
      await alter(controller, topicResource(), [
        { name: 'retention.ms', value: '1' },
        { name: 'retention.ms', value: '2' },
      ]),
    ).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Config retention.ms is given more than once for the same resource.' });
  });
});

describe('IncrementalAlterConfigs', () => {
  it('setAndDelete: only the named keys change', async () => {
    const controller = await withTopic();
    await incremental(controller, topicResource(), [{ name: 'segment.ms', operation: 'SET', value: '60000' }]);
    expect(configsOf(controller, topicResource())).toEqual({ 'retention.ms': '1000', 'segment.ms': '60000' });
    await incremental(controller, topicResource(), [
      { name: 'retention.ms', operation: 'DELETE', value: null },
      { name: 'flush.messages', operation: 'DELETE', value: null },
    ]);
    expect(configsOf(controller, topicResource())).toEqual({ 'segment.ms': '60000' });
  });

  it('appendAndSubtract on a list config start from its default and keep items unique', async () => {
    const controller = await withTopic();
    const policy = () => controller.metadata.configs('topic', 't').get('cleanup.policy');
    await incremental(controller, topicResource(), [{ name: 'cleanup.policy', operation: 'APPEND', value: 'compact' }]);
    expect(policy()).toBe('delete,compact');
    await incremental(controller, topicResource(), [{ name: 'cleanup.policy', operation: 'APPEND', value: 'compact,delete' }]);
    expect(policy()).toBe('delete,compact');
    await incremental(controller, topicResource(), [{ name: 'cleanup.policy', operation: 'SUBTRACT', value: 'delete' }]);
    expect(policy()).toBe('compact');
    const refused = await incremental(controller, topicResource(), [{ name: 'cleanup.policy', operation: 'APPEND', value: 'shred' }]);
    expect(refused).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: 'Invalid value "compact,shred" for configuration cleanup.policy: must be a comma-separated list of compact, delete',
    });
  });

  it('appendToAScalar is refused with INVALID_CONFIG', async () => {
    const controller = await withTopic();
    expect(await incremental(controller, topicResource(), [{ name: 'retention.ms', operation: 'APPEND', value: '5' }])).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: 'Config value append is not allowed for config key: retention.ms (only list configs such as cleanup.policy take APPEND and SUBTRACT).',
    });
  });

  it('unknownKeys, bad values and null SETs are refused, naming the key', async () => {
    const controller = await withTopic();
    expect(await incremental(controller, topicResource(), [{ name: 'retension.ms', operation: 'DELETE', value: null }])).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: expect.stringMatching(/^Unknown topic config name: retension.ms \(known: /),
    });
    expect(await incremental(controller, topicResource(), [{ name: 'compression.type', operation: 'SET', value: 'brotli' }])).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: 'Invalid value "brotli" for configuration compression.type: must be one of uncompressed, zstd, lz4, snappy, gzip, producer',
    });
    expect(await incremental(controller, topicResource(), [{ name: 'unclean.leader.election.enable', operation: 'SET', value: 'yes' }])).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: 'Invalid value "yes" for configuration unclean.leader.election.enable: must be true or false',
    });
    expect(await incremental(controller, topicResource(), [{ name: 'retention.ms', operation: 'SET', value: null }])).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
    });
    expect(configsOf(controller, topicResource())).toEqual({ 'retention.ms': '1000' });
  });

  it('brokerResources: per broker and cluster-wide; read-only keys are refused', async () => {
    const controller = await fixture.openWithBrokers(2);
    expect(await incremental(controller, brokerResource(''), [{ name: 'log.retention.ms', operation: 'SET', value: '3600000' }])).toMatchObject({
      errorCode: 0,
    });
    expect(await incremental(controller, brokerResource('2'), [{ name: 'message.max.bytes', operation: 'SET', value: '2000000' }])).toMatchObject({
      errorCode: 0,
    });
    expect(configsOf(controller, brokerResource(''))).toEqual({ 'log.retention.ms': '3600000' });
    expect(configsOf(controller, brokerResource('2'))).toEqual({ 'message.max.bytes': '2000000' });
    expect(await incremental(controller, brokerResource(''), [{ name: 'num.partitions', operation: 'SET', value: '3' }])).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: 'Cannot update these configs dynamically: num.partitions (read-only; set it when the node starts, with --config num.partitions=...)',
    });
    expect(await incremental(controller, brokerResource('1'), [{ name: 'retention.ms', operation: 'SET', value: '3' }])).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: expect.stringMatching(/^Unknown broker config name: retention.ms \(known: /),
    });
  });

  it('validateOnly and unchanged values write nothing', async () => {
    const controller = await withTopic();
    const offset = controller.describe().metadataOffset;
    const checked = await controller.handle({
      type: 'IncrementalAlterConfigs',
      resources: [{ ...topicResource(), configs: [{ name: 'segment.ms', operation: 'SET', value: '60000' }] }],
      validateOnly: true,
    });
    expect(checked.resources[0]!.errorCode).toBe(0);
    await incremental(controller, topicResource(), [{ name: 'retention.ms', operation: 'SET', value: '1000' }]);
    expect(controller.describe().metadataOffset).toBe(offset);
    expect(configsOf(controller, topicResource())).toEqual({ 'retention.ms': '1000' });
  });

  it('metadataOffset: a change is visible at the offset the reply names', async () => {
    const controller = await withTopic();
    const reply = await controller.handle({
      type: 'IncrementalAlterConfigs',
      resources: [
        {
          ...topicResource(),
          configs: [
            { name: 'segment.ms', operation: 'SET', value: '60000' },
            { name: 'retention.ms', operation: 'DELETE', value: null },
          ],
        },
      ],
      validateOnly: false,
    });
    expect(reply.metadataOffset).toBe(controller.describe().metadataOffset - 1);
  });
});
