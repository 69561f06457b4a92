import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import { producerBatch } from '../txn/txn-batches.test-support.js';
import { assignment, openManager } from './partitions.test-support.js';

const HOUR_MS = 3_600_000;

describe('ReplicaManager producer expiration', () => {
  it('idleProducerExpiresOpenTransactionKept: producers idle past producer.id.expiration.ms are removed, one with an open transaction is not', async () => {
    const now = { ms: Date.now() };
    const manager = await openManager({ clock: () => now.ms, producerIdExpirationMs: () => HOUR_MS });
    await manager.applyAssignment(assignment('orders'));
    await manager.appendRecords('orders', 0, await producerBatch(['a'], { producerId: 1n, baseSequence: 0 }), 1, 1000);
    await manager.appendRecords('orders', 0, await producerBatch(['t'], { producerId: 2n, baseSequence: 0, transactional: true }), 1, 1000);
    const log = manager.partition('orders', 0)!.log;
    expect(manager.removeExpiredProducers()).toBe(0);
    now.ms += 2 * HOUR_MS;
    expect(manager.removeExpiredProducers()).toBe(1);
    expect(log.activeProducers().map((p) => p.producerId)).toEqual([2n]);
    // Its state gone, producer 1 is accepted again at any sequence, as a new producer.
    expect((await manager.appendRecords('orders', 0, await producerBatch(['b'], { producerId: 1n, baseSequence: 9 }), 1, 1000)).errorCode).toBe(ErrorCode.NONE);
  });

  it('periodicCheck: producer.id.expiration.check.interval.ms runs the removal on every hosted partition by itself', async () => {
    const manager = await openManager({ producerIdExpirationCheckIntervalMs: 20, producerIdExpirationMs: () => 1 });
    await manager.applyAssignment(assignment('orders'));
    await manager.applyAssignment(assignment('orders', { partition: 1 }));
    for (const partition of [0, 1]) {
      const records = await producerBatch(['a'], { producerId: BigInt(10 + partition), baseSequence: 0 });
      expect((await manager.appendRecords('orders', partition, records, 1, 1000)).errorCode).toBe(ErrorCode.NONE);
    }
    await expect.poll(() => [0, 1].map((p) => manager.partition('orders', p)!.log.activeProducers().length), { timeout: 2_000 }).toEqual([0, 0]);
  });
});
