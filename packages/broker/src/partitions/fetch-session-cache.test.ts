import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZERO_UUID } from '@kstream/protocol';
import { FetchSessionCache } from './fetch-session-cache.js';
import type { FetchPartitionParams } from './fetch-session.js';

function parts(from: number, count: number): FetchPartitionParams[] {
  return Array.from({ length: count }, (_, i) => ({ topic: 't', topicId: ZERO_UUID, partition: from + i, fetchOffset: 0n, partitionMaxBytes: 1, currentLeaderEpoch: -1 }));
}

type Op = { kind: 'create'; count: number } | { kind: 'grow'; pick: number; added: number; forgotten: number } | { kind: 'remove'; pick: number } | { kind: 'advance'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), count: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('grow' as const), pick: fc.nat(), added: fc.integer({ min: 0, max: 20 }), forgotten: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 2000 }) }),
);

describe('FetchSessionCache', () => {
  it('partitionBudgetHolds: under any creates, growths and removals the running total is the sum of session sizes and within the budget', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 6 }), fc.array(op, { maxLength: 60 }), (maxPartitions, maxSlots, ops) => {
        let now = 0;
        const sessions = new FetchSessionCache({ maxSlots, maxPartitions, evictionMs: 1000, clock: () => now });
        const ids: number[] = [];
        let nextPartition = 0;
        for (const o of ops) {
          if (o.kind === 'create') {
            const session = sessions.create(o.count, false);
            if (session !== undefined) {
              session.update(parts(nextPartition, o.count), []);
              nextPartition += o.count;
              expect(sessions.resized(session, o.count)).toBe(true);
              ids.push(session.id);
            }
          } else if (o.kind === 'grow' && ids.length > 0) {
            const session = sessions.get(ids[o.pick % ids.length]!);
            if (session !== undefined) {
              const counted = session.size;
              session.update(parts(nextPartition, o.added), [...session.partitions.values()].slice(0, o.forgotten));
              nextPartition += o.added;
              sessions.resized(session, counted);
            }
          } else if (o.kind === 'remove' && ids.length > 0) {
            sessions.remove(ids[o.pick % ids.length]!);
          } else if (o.kind === 'advance') {
            now += o.ms;
          }
          const live = ids.map((id) => sessions.get(id)).filter((s) => s !== undefined);
          expect(sessions.partitionCount).toBe(live.reduce((sum, s) => sum + s.size, 0));
          expect(sessions.partitionCount).toBeLessThanOrEqual(maxPartitions);
          expect(sessions.size).toBe(live.length);
          expect(sessions.size).toBeLessThanOrEqual(maxSlots);
        }
      }),
    );
  });
});
