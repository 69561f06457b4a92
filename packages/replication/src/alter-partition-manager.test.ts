import { describe, expect, it } from 'vitest';
import { ActorError } from '@kstream/actor';
import type { AlterPartitionItem, AlterPartitionReply, AlterPartitionRequest } from '@kstream/metadata';
import { ErrorCode } from '@kstream/protocol';
import { AlterPartitionManager } from './alter-partition-manager.js';
import { flush, recordingLogger } from './partition.test-support.js';

function item(partition: number, newIsr = [1]): AlterPartitionItem {
  return { topicId: 't', partition, leaderEpoch: 0, partitionEpoch: 0, newIsr };
}

function acceptAll(request: AlterPartitionRequest): AlterPartitionReply {
  return {
    errorCode: 0,
    metadataOffset: 1,
    partitions: request.partitions.map((p) => ({ ...p, errorCode: 0, leader: 1, isr: p.newIsr, partitionEpoch: p.partitionEpoch + 1 })),
  };
}

/** A controller whose answers the test releases one request at a time. */
function heldController() {
  const requests: { request: AlterPartitionRequest; reply: (r: AlterPartitionReply) => void; fail: (e: Error) => void }[] = [];
  const send = (request: AlterPartitionRequest) => new Promise<AlterPartitionReply>((reply, fail) => requests.push({ request, reply, fail }));
  return { requests, send };
}

describe('AlterPartitionManager', () => {
  it('batchesChangesSubmittedTogether', async () => {
    const controller = heldController();
    const manager = new AlterPartitionManager({ brokerId: 1, brokerEpoch: () => 7, send: controller.send, retryBackoffMs: 10, logger: recordingLogger() });
    const a = manager.submit(item(0), () => false);
    const b = manager.submit(item(1), () => false);
    await flush();
    expect(controller.requests).toHaveLength(1);
    expect(controller.requests[0]!.request).toMatchObject({ brokerId: 1, brokerEpoch: 7 });
    expect(controller.requests[0]!.request.partitions.map((p) => p.partition)).toEqual([0, 1]);
    controller.requests[0]!.reply(acceptAll(controller.requests[0]!.request));
    expect((await a)?.partitionEpoch).toBe(1);
    expect((await b)?.partition).toBe(1);
  });

  it('oneRequestInFlightAtATime', async () => {
    const controller = heldController();
    const manager = new AlterPartitionManager({ brokerId: 1, brokerEpoch: () => 7, send: controller.send, retryBackoffMs: 10, logger: recordingLogger() });
    void manager.submit(item(0), () => false);
    await flush();
    const later = manager.submit(item(1), () => false);
    await flush();
    expect(controller.requests).toHaveLength(1);
    controller.requests[0]!.reply(acceptAll(controller.requests[0]!.request));
    await flush();
    await flush();
    expect(controller.requests).toHaveLength(2);
    controller.requests[1]!.reply(acceptAll(controller.requests[1]!.request));
    expect((await later)?.partition).toBe(1);
  });

  it('retriesAfterTimeoutWithoutStaleChanges', async () => {
    const controller = heldController();
    const logger = recordingLogger();
    const manager = new AlterPartitionManager({ brokerId: 1, brokerEpoch: () => 7, send: controller.send, retryBackoffMs: 5, logger });
    let stale = false;
    const kept = manager.submit(item(0), () => false);
    const dropped = manager.submit(item(1), () => stale);
    await flush();
    stale = true;
    controller.requests[0]!.fail(new ActorError('TIMEOUT', 'no answer', 'controller', 'AlterPartition'));
    expect(await dropped).toBeUndefined();
    await expect.poll(() => controller.requests.length).toBe(2);
    expect(controller.requests[1]!.request.partitions.map((p) => p.partition)).toEqual([0]);
    controller.requests[1]!.reply(acceptAll(controller.requests[1]!.request));
    expect((await kept)?.errorCode).toBe(ErrorCode.NONE);
    expect(logger.lines.some((l) => l.startsWith('WARN') && l.includes('retrying'))).toBe(true);
  });

  it('staleBrokerEpochIsRetried', async () => {
    const controller = heldController();
    let epoch = 7;
    const manager = new AlterPartitionManager({ brokerId: 1, brokerEpoch: () => epoch, send: controller.send, retryBackoffMs: 5, logger: recordingLogger() });
    const change = manager.submit(item(0), () => false);
    await flush();
    epoch = 8;
    controller.requests[0]!.reply({ errorCode: ErrorCode.STALE_BROKER_EPOCH, partitions: [], metadataOffset: 1 });
    await expect.poll(() => controller.requests.length).toBe(2);
    expect(controller.requests[1]!.request.brokerEpoch).toBe(8);
    controller.requests[1]!.reply(acceptAll(controller.requests[1]!.request));
    expect((await change)?.partitionEpoch).toBe(1);
  });

  it('closeDropsWaitingChanges', async () => {
    const controller = heldController();
    const manager = new AlterPartitionManager({ brokerId: 1, brokerEpoch: () => 7, send: controller.send, retryBackoffMs: 5, logger: recordingLogger() });
    const change = manager.submit(item(0), () => false);
    manager.close();
    expect(await change).toBeUndefined();
    await flush();
    expect(controller.requests).toHaveLength(0);
  });
});
