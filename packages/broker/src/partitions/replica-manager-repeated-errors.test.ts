import { describe, expect, it, vi } from 'vitest';
import { ErrorCode, ZERO_UUID } from '@kstream/protocol';
import { assignment, batch, closeManager, openManager, recordingLogger } from './partitions.test-support.js';

describe('ReplicaManager repeated failures', () => {
  it('fetchFailingOnEveryRequest: sixty fetches of a partition whose read fails log it once with its stack, then one summary', async () => {
    const logger = recordingLogger();
    const manager = await openManager({ logger });
    await manager.applyAssignment(assignment('orders'));
    await manager.applyAssignment(assignment('payments'));
    await manager.appendRecords('orders', 0, await batch(['a']), 1, 1000);
    const orders = await manager.leaderPartition('orders', 0);
    const payments = await manager.leaderPartition('payments', 0);
    vi.spyOn(orders, 'read').mockRejectedValue(new Error('batch at position 0 does not parse'));
    vi.spyOn(payments, 'read').mockRejectedValue(new Error('batch at position 0 does not parse'));
    const part = (topic: string) => ({ topic, topicId: ZERO_UUID, partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 });
    for (let i = 0; i < 60; i++) {
      const [result] = await manager.fetchMessages({ maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, readCommitted: false, partitions: [part('orders')] });
      expect(result!.errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
    }
    await manager.fetchMessages({ maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, readCommitted: false, partitions: [part('payments')] });
    expect(logger.lines).toEqual([
      'ERROR fetch failed {"partition":"orders-0","error":"batch at position 0 does not parse"}',
      'ERROR fetch failed {"partition":"payments-0","error":"batch at position 0 does not parse"}',
    ]);
    await closeManager(manager);
    expect(logger.lines.slice(2)).toEqual(['ERROR fetch failed (repeated 59 times in the last 30 s) {"partition":"orders-0","error":"Error: batch at position 0 does not parse"}']);
  });
});
