import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempLogDir } from './log-test-dir.test-support.js';
import { openLog } from './partition-log.test-support.js';
import { producerBatch } from './producer-state.test-support.js';

type TxnOp = { kind: 'data'; producer: number; records: number } | { kind: 'marker'; producer: number; commit: boolean } | { kind: 'roll' };

const txnOpArb: fc.Arbitrary<TxnOp> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('data' as const), producer: fc.integer({ min: 0, max: 2 }), records: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('marker' as const), producer: fc.integer({ min: 0, max: 2 }), commit: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'roll' as const }) },
);

describe('transactions against a model', () => {
  it('unstableOffsetAndAbortsFollowTheModel: on the leader, on a follower copying it, and after a close and reopen', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(txnOpArb, { minLength: 1, maxLength: 30 }), async (ops) => {
        const leaderDir = tempLogDir();
        const leader = await openLog(leaderDir);
        const follower = await openLog(tempLogDir());
        const open = new Map<number, bigint>();
        const seqs = new Map<number, number>();
        const aborted: { producerId: bigint; firstOffset: bigint }[] = [];
        const markers: { firstOffset: bigint; markerOffset: bigint }[] = [];
        try {
          for (const op of ops) {
            if (op.kind === 'roll') {
              await leader.roll();
              continue;
            }
            const producerId = BigInt(500 + op.producer);
            if (op.kind === 'data') {
              const seq = seqs.get(op.producer) ?? 0;
              const info = await leader.appendAsLeader(producerBatch({ producerId, epoch: 0, seq, records: op.records, transactional: true }), 0);
              seqs.set(op.producer, seq + op.records);
              if (!open.has(op.producer)) open.set(op.producer, info.firstOffset);
              continue;
            }
            const info = await leader.appendTxnMarker({ producerId, producerEpoch: 0, coordinatorEpoch: 0, commit: op.commit }, 0);
            const firstOffset = open.get(op.producer) ?? info.firstOffset;
            open.delete(op.producer);
            markers.push({ firstOffset, markerOffset: info.firstOffset });
            if (!op.commit) aborted.push({ producerId, firstOffset });
          }
          const end = leader.logEndOffset;
          // Every high watermark: the earliest open transaction, or completed one whose marker it has not passed.
          const expectedFirstUnstable = (hw: bigint): bigint | undefined => {
            const firsts = [...open.values(), ...markers.filter((m) => m.markerOffset >= hw).map((m) => m.firstOffset)];
            return firsts.length === 0 ? undefined : firsts.reduce((a, b) => (a < b ? a : b));
          };
          for (let offset = 0n; offset < end; ) {
            const read = await leader.read(offset);
            await follower.appendAsFollower(read.records);
            offset = read.nextOffset;
          }
          const byFirst = (a: { firstOffset: bigint }, b: { firstOffset: bigint }): number => (a.firstOffset < b.firstOffset ? -1 : 1);
          const sortedAborted = [...aborted].sort(byFirst);
          for (const log of [leader, follower]) {
            expect([...log.collectAbortedTransactions(0n, end + 1n)].sort(byFirst)).toEqual(sortedAborted);
            expect(log.firstUnstableOffset(end)).toBe(expectedFirstUnstable(end));
          }
          expect(follower.activeProducers()).toEqual(leader.activeProducers());
          await leader.close();
          const reopened = await openLog(leaderDir, { recoveryPoint: end });
          try {
            expect(reopened.activeProducers()).toEqual(follower.activeProducers());
            expect(reopened.firstUnstableOffset(end)).toBe(open.size === 0 ? undefined : [...open.values()].reduce((a, b) => (a < b ? a : b)));
            expect([...reopened.collectAbortedTransactions(0n, end + 1n)].sort(byFirst)).toEqual(sortedAborted);
          } finally {
            await reopened.close();
          }
        } finally {
          await leader.close();
          await follower.close();
        }
      }),
      { numRuns: 25 },
    );
  }, 180_000);
});
