import { randomUUID } from 'node:crypto';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Mailbox } from '@kstream/actor';
import { ErrorCode } from '@kstream/protocol';
import type { AdminContext } from './admin-context.js';
import { ControllerFixture, quiet } from './controller.test-support.js';
import { createTopics, deleteTopics } from './controller-topics.js';
import { eachSnapshotRecord, packAdminReply, packMetadataBatch, snapshotRecords, unpackAdminReply, unpackMetadataBatch } from '@kstream/metadata';
import type { CreateTopicsRequest, DeleteTopicsReply } from '@kstream/metadata';
import type { BrokerControllerChannel } from './controller-channel.js';
import { transferPackedReply } from './packed-reply-transfer.js';

const fixture = new ControllerFixture();
beforeEach(() => fixture.setUp());
afterEach(() => fixture.cleanUp());

/** The largest CreateTopics allowed by default: max.partitions.per.request partitions, three replicas each. */
const LARGEST: CreateTopicsRequest = {
  type: 'CreateTopics',
  topics: [{ name: 'largest', numPartitions: 10_000, replicationFactor: 3, assignments: [], configs: [] }],
  validateOnly: false,
};

/** Runs `work` and counts the turns of the event loop (setImmediate callbacks) that ran before it finished. */
async function loopTurnsDuring<T>(work: () => T | Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const result = await work();
  running = false;
  return { result, turns };
}

describe('the controller shares its thread', () => {
  it('largestCreateTopicsDecidedInTurns: deciding 10000 partitions lets the event loop run in between', async () => {
    const controller = await fixture.openWithBrokers(3);
    const context: AdminContext = { state: controller.metadata, staticConfig: {}, logger: quiet, newTopicId: randomUUID, random: Math.random };
    const { result, turns } = await loopTurnsDuring(() => createTopics(context, LARGEST));
    expect(result.results[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(result.records).toHaveLength(10_001);
    expect(turns).toBeGreaterThan(0);
    // Deciding changes nothing: the records are applied only once committed.
    expect(controller.metadata.topicByName('largest')).toBeUndefined();
  });

  it('largeBatchPackedInTurns: a 10000-record batch is packed with turns in between, and reads back whole', async () => {
    const records = Array.from({ length: 10_000 }, (_, partition) => ({
      type: 'Partition' as const,
      topicId: '0b0b0b0b-0000-4000-8000-000000000001',
      partition,
      replicas: [1, 2, 3],
      isr: [1, 2, 3],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 0,
    }));
    const { result: batch, turns } = await loopTurnsDuring(() => packMetadataBatch(records));
    expect(turns).toBeGreaterThan(0);
    expect(unpackMetadataBatch(batch, 'test', 0)).toEqual(records);
  });

  it('registrationSnapshotPackedInTurns: a snapshot of 10000 partitions is packed in turns and reads back as snapshotRecords', async () => {
    const controller = await fixture.openWithBrokers(3);
    await controller.handle(LARGEST);
    const { result: batch, turns } = await loopTurnsDuring(() => packMetadataBatch(eachSnapshotRecord(controller.metadata)));
    expect(turns).toBeGreaterThan(0);
    expect(unpackMetadataBatch(batch, 'snapshot', 0)).toEqual(snapshotRecords(controller.metadata));
  });

  it('describeAnsweredDuringLargestCreateTopics: control calls are answered while it runs, and see the change only whole', async () => {
    const controller = await fixture.openWithBrokers(3);
    const before = controller.describe().metadataOffset;
    const { result: reply, turns } = await loopTurnsDuring(async () => {
      const seen = new Set<number>();
      const poll = setInterval(() => seen.add(controller.describe().metadataOffset), 1);
      const created = await controller.handle(LARGEST);
      clearInterval(poll);
      return { created, seen };
    });
    expect(reply.created.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(turns).toBeGreaterThan(0);
    // Before the reply, describe saw the metadata without the topic, never a part of it.
    expect([...reply.seen]).toEqual([before]);
    expect(controller.describe().metadataOffset).toBe(before + 10_001);
    expect(controller.metadata.topicByName('largest')!.partitions).toHaveLength(10_000);
  });

  it('deleteOfManyUnknownTopicsDecidedInTurns: 100000 topics that each fail let the event loop run, and each gets its own error', async () => {
    const controller = await fixture.openWithBrokers(3);
    await controller.handle(LARGEST);
    const context: AdminContext = { state: controller.metadata, staticConfig: {}, logger: quiet, newTopicId: randomUUID, random: Math.random };
    const topics = Array.from({ length: 100_000 }, (_, i) => ({ name: `absent-${i}`, topicId: null }));
    topics.push({ name: 'largest', topicId: null });
    const { result, turns } = await loopTurnsDuring(() => deleteTopics(context, { type: 'DeleteTopics', topics }, true));
    expect(turns).toBeGreaterThan(0);
    expect(result.results).toHaveLength(100_001);
    expect(result.results[99_999]).toMatchObject({ name: 'absent-99999', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
    expect(result.results[100_000]).toMatchObject({ name: 'largest', errorCode: ErrorCode.NONE });
    expect(result.records).toEqual([{ type: 'RemoveTopic', topicId: controller.metadata.topicByName('largest')!.topicId }]);
  });

  it('alterConfigsOfManyResourcesDecidedInTurns: 100000 resources (AlterConfigs and IncrementalAlterConfigs) let the event loop run', async () => {
    const controller = await fixture.openWithBrokers(3);
    const resources = Array.from({ length: 100_000 }, (_, i) => ({ resourceType: 'topic' as const, resourceName: `absent-${i}` }));
    const altered = await loopTurnsDuring(() => controller.handle({ type: 'AlterConfigs', validateOnly: false, resources: resources.map((r) => ({ ...r, configs: [] })) }));
    expect(altered.turns).toBeGreaterThan(0);
    expect(altered.result.resources).toHaveLength(100_000);
    expect(altered.result.resources.every((r) => r.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)).toBe(true);
    const incremental = await loopTurnsDuring(() =>
      controller.handle({ type: 'IncrementalAlterConfigs', validateOnly: false, resources: resources.map((r) => ({ ...r, configs: [] })) }),
    );
    expect(incremental.turns).toBeGreaterThan(0);
    expect(incremental.result.resources).toHaveLength(100_000);
  });

  it('largeReplyPackedInTurns: a reply of 100000 results crosses a broker channel packed in turns, and reads back whole', async () => {
    const controller = await fixture.openWithBrokers(3);
    const channel = new MessageChannel();
    controller.attachBroker(1, channel.port1);
    const broker: BrokerControllerChannel = new Mailbox(channel.port2, { name: 'controller', logger: quiet });
    try {
      const topics = Array.from({ length: 100_000 }, (_, i) => ({ name: `absent-${i}`, topicId: null }));
      const packed = await broker.ask({ type: 'DeleteTopics', topics });
      const reply = unpackAdminReply<DeleteTopicsReply>(packed);
      expect(reply.metadataOffset).toBe(controller.describe().metadataOffset - 1);
      expect(reply.topics).toHaveLength(100_000);
      expect(reply.topics[99_999]).toEqual({
        name: 'absent-99999',
        topicId: null,
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: 'Topic absent-99999 does not exist.',
      });
      const { result, turns } = await loopTurnsDuring(() => packAdminReply(reply));
      expect(turns).toBeGreaterThan(0);
      expect(unpackAdminReply(result)).toEqual(reply);
      // Megabytes move to the broker's thread; a small reply's pooled buffer is copied instead.
      expect(result.packed.length).toBeGreaterThan(2);
      expect(transferPackedReply(result).transfer).toContain(result.packed[1]!.buffer);
      const small = await packAdminReply({ topics: reply.topics.slice(0, 1), metadataOffset: 0 });
      expect(transferPackedReply(small).transfer).toEqual([]);
    } finally {
      broker.close();
      channel.port1.close();
    }
  });
});
