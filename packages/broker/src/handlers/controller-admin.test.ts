import { CreatePartitions, CreateTopics, ErrorCode, IncrementalAlterConfigs } from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from '../network/raw-client.test-support.js';
import { startTestListener } from '../network/test-listener.test-support.js';
import type { TestListener } from '../network/test-listener.test-support.js';
import { createPartitionsHandler } from './create-partitions-handler.js';
import { createTopicsHandler } from './create-topics-handler.js';
import { incrementalAlterConfigsHandler } from './incremental-alter-configs-handler.js';
import { HandlerRegistry } from './registry.js';

const handlers = new HandlerRegistry([createTopicsHandler, createPartitionsHandler, incrementalAlterConfigsHandler]);
// The default replication factor: this listener's metadata has no registered
// broker, and a factor above the registered brokers is refused before forwarding.
const newTopic = (name: string) => ({ name, numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] });

let listener: TestListener | undefined;
let client: RawClient | undefined;
afterEach(async () => {
  client?.close();
  await listener?.close();
});

async function connect(controller: (msg: { type: string }) => unknown): Promise<RawClient> {
  listener = await startTestListener(handlers, { controller });
  client = await RawClient.connect(listener.port);
  return client;
}

describe('admin requests forwarded to the controller', () => {
  it('controllerSilent: no answer within timeoutMs is REQUEST_TIMED_OUT for every topic', async () => {
    const c = await connect(() => new Promise(() => {}));
    const started = Date.now();
    const response = await c.request(CreateTopics, 7, { topics: [newTopic('a'), newTopic('b')], timeoutMs: 150, validateOnly: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(response.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['a', ErrorCode.REQUEST_TIMED_OUT],
      ['b', ErrorCode.REQUEST_TIMED_OUT],
    ]);
    expect(response.topics[0]!.errorMessage).toContain('CreateTopics did not complete');
  });

  it('changeNotYetVisible: the controller answered but this broker never applied the offset it named; REQUEST_TIMED_OUT once timeoutMs runs out', async () => {
    const c = await connect(() => ({ results: [{ name: 't', errorCode: 0, errorMessage: null }], metadataOffset: 42 }));
    const response = await c.request(CreatePartitions, 3, { topics: [{ name: 't', count: 2, assignments: null }], timeoutMs: 100, validateOnly: false });
    expect(response.results).toEqual([{ name: 't', errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: expect.stringContaining('metadata offset 42') }]);
  });

  it('controllerFailed: a controller that throws is UNKNOWN_SERVER_ERROR per resource and logged; the connection stays usable', async () => {
    const c = await connect(() => {
      throw new Error('controller bug');
    });
    const request = {
      resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', configOperation: 0, value: '1' }] }],
      validateOnly: false,
    };
    const response = await c.request(IncrementalAlterConfigs, 1, request);
    expect(response.responses[0]!.errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
    expect(listener!.logger.lines.some((l) => l.startsWith('ERROR') && l.includes('the controller failed IncrementalAlterConfigs'))).toBe(true);
    expect((await c.request(IncrementalAlterConfigs, 1, request)).responses).toHaveLength(1);
  });
});
