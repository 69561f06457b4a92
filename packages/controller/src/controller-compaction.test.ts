import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LogLine, ControllerFixture, recordingLogger, stateView } from './controller.test-support.js';

// The controller compacts its metadata log as it goes (Kafka's
// metadata.log.max.record.bytes.between.snapshots): a reopened controller
// rebuilds the same metadata from the snapshot, and the offsets, which broker
// epochs are, go on where they were.

const fixture = new ControllerFixture();
beforeEach(() => fixture.setUp());
afterEach(() => fixture.cleanUp());

describe('metadata log compaction', () => {
  it('compactedLogRebuildsTheSameMetadata: brokers fenced and not, topics, partitions, configs and producer ids; epochs go on', async () => {
    const lines: LogLine[] = [];
    const staticBrokerConfig = { 'metadata.log.max.record.bytes.between.snapshots': '1' };
    const first = await fixture.openWithBrokers(3, { staticBrokerConfig, logger: recordingLogger(lines) });
    for (let round = 0; round < 4; round++) {
      await first.handle({
        type: 'CreateTopics',
        topics: [{ name: `t${round}`, numPartitions: 3, replicationFactor: 3, assignments: [], configs: [{ name: 'retention.ms', value: `${1000 + round}` }] }],
        validateOnly: false,
      });
      await first.detachBroker(2, 'stopped');
      await first.handle({ type: 'BrokerRegistration', brokerId: 2, host: '127.0.0.1', port: 9093 });
    }
    await first.handle({ type: 'DeleteTopics', topics: [{ name: 't1', topicId: null }] });
    await first.handle({
      type: 'IncrementalAlterConfigs',
      resources: [{ resourceType: 'broker', resourceName: '', configs: [{ name: 'log.retention.hours', operation: 'SET', value: '1' }] }],
      validateOnly: false,
    });
    const epochOf3 = first.metadata.broker(3)!.brokerEpoch;
    await first.handle({ type: 'AllocateProducerIds', brokerId: 3, brokerEpoch: epochOf3 });
    await first.detachBroker(3, 'stopped');
    const before = { ...stateView(first.metadata), producerIds: first.metadata.producerIds };
    const description = first.describe();
    await fixture.close(first);

    expect(lines.filter((l) => l.msg.includes('compacted the metadata log')).length).toBeGreaterThanOrEqual(2);
    // The log begins with a compaction's header.
    expect((await readFile(join(fixture.dir, 'metadata.log'))).subarray(0, 4).toString()).toBe('KSML');
    expect(before.brokers.find((b) => b.brokerId === 3)?.fenced).toBe(true);
    expect(before.producerIds).toBeDefined();

    const second = await fixture.open();
    expect({ ...stateView(second.metadata), producerIds: second.metadata.producerIds }).toEqual(before);
    expect(second.describe()).toEqual(description);
    const { brokerEpoch } = await second.handle({ type: 'BrokerRegistration', brokerId: 3, host: '127.0.0.1', port: 9094 });
    expect(brokerEpoch).toBe(description.metadataOffset);
  });

  it('notDueNotCompacted: under the default 20 MiB the log keeps its history', async () => {
    const lines: LogLine[] = [];
    const controller = await fixture.openWithBrokers(3, { logger: recordingLogger(lines) });
    await controller.detachBroker(2, 'stopped');
    await fixture.close(controller);
    expect(lines.filter((l) => l.msg.includes('compacted'))).toEqual([]);
    expect((await readFile(join(fixture.dir, 'metadata.log'))).subarray(0, 4).toString()).not.toBe('KSML');
  });
});
