import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import { accepted, batch, flush, openPartition, partitionState, testContext } from './partition.test-support.js';

type Action =
  | { kind: 'append'; acks: -1 | 1 }
  | { kind: 'fetch'; follower: 2 | 3; ahead: number }
  | { kind: 'time'; ms: number }
  | { kind: 'shrink' }
  | { kind: 'answer'; accept: boolean };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), acks: fc.constantFrom(-1 as const, 1 as const) }),
  fc.record({ kind: fc.constant('fetch' as const), follower: fc.constantFrom(2 as const, 3 as const), ahead: fc.nat(3) }),
  fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 1, max: 20_000 }) }),
  fc.record({ kind: fc.constant('shrink' as const) }),
  fc.record({ kind: fc.constant('answer' as const), accept: fc.boolean() }),
);

describe('ISR and high watermark state machine', () => {
  it('highWatermarkMonotonicBelowEveryIsrMemberAndAcksAllOnlyWhenPassed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 40 }), async (actions) => {
        const context = testContext(1);
        const partition = await openPartition(context, partitionState({ replicas: [1, 2, 3] }));
        // The model: each follower's log end offset (it only fetches forward), and every acks=-1 wait.
        const followerEnd = new Map<number, bigint>([
          [2, 0n],
          [3, 0n],
        ]);
        const waits: { required: bigint; outcome: number | undefined }[] = [];
        let previousHighWatermark = partition.highWatermark;
        for (const a of actions) {
          switch (a.kind) {
            case 'append': {
              const info = await partition.appendRecordsToLeader(await batch('v'), a.acks);
              if (a.acks === -1) {
                const wait = { required: info.lastOffset + 1n, outcome: undefined as number | undefined };
                waits.push(wait);
                void partition.waitForReplication(wait.required, 60_000).then((r) => (wait.outcome = r.errorCode));
              }
              break;
            }
            case 'fetch': {
              const end = followerEnd.get(a.follower)!;
              const target = end + BigInt(a.ahead);
              const offset = target > partition.logEndOffset ? partition.logEndOffset : target;
              await partition.fetchForFollower(a.follower, offset, -1, 1 << 20);
              followerEnd.set(a.follower, offset);
              break;
            }
            case 'time':
              context.now.ms += a.ms;
              break;
            case 'shrink':
              partition.maybeShrinkIsr();
              break;
            case 'answer': {
              const sent = context.sent.shift();
              if (sent === undefined) break;
              sent.answer(a.accept ? accepted(sent) : { ...accepted(sent), errorCode: ErrorCode.INVALID_UPDATE_VERSION });
              await flush();
              break;
            }
          }
          await flush();
          const hw = partition.highWatermark;
          expect(hw).toBeGreaterThanOrEqual(previousHighWatermark);
          previousHighWatermark = hw;
          expect(hw).toBeLessThanOrEqual(partition.logEndOffset);
          for (const id of new Set([...partition.state.isr, ...partition.maximalIsr])) {
            if (id !== 1) expect(hw).toBeLessThanOrEqual(followerEnd.get(id)!);
          }
          for (const wait of waits) {
            if (wait.outcome === ErrorCode.NONE) expect(hw).toBeGreaterThanOrEqual(wait.required);
            if (wait.required <= hw) expect(wait.outcome).toBeDefined();
            else expect(wait.outcome).toBeUndefined();
          }
        }
        partition.abandonWaiters();
        await partition.log.close();
      }),
      { numRuns: 100 },
    );
  });
});
