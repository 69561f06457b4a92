// GroupMember as a state machine: whatever the coordinator answers to its
// heartbeats (rebalances, lost generations, unknown member ids, a moved
// coordinator) and whatever each SyncGroup assigns, the host is handed a
// partition only when it does not hold it, asked to give up only what it
// holds, ends up holding exactly the member's assignment, and nothing is
// committed for a partition the host does not hold (a lost partition is
// never committed).
import fc from 'fast-check';
import { ErrorCode, type OffsetCommit, type RequestOf } from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type TopicPartition, partitionKey } from '../assignors/assignor.js';
import { ScriptedCoordinator, setUp, waitFor } from './scripted-coordinator.test-support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const HEARTBEAT_ANSWERS = [ErrorCode.NONE, ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.ILLEGAL_GENERATION, ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.NOT_COORDINATOR];
const PARTITIONS = 4;

const scenario = fc.record({
  assignors: fc.constantFrom(['range'] as const, ['cooperative-sticky'] as const),
  heartbeats: fc.array(fc.constantFrom(...HEARTBEAT_ANSWERS), { minLength: 1, maxLength: 4 }),
  // What each SyncGroup assigns in turn; the last one repeats, so a cooperative member's follow-up rebalances settle.
  syncs: fc.array(fc.subarray([0, 1, 2, 3]), { minLength: 1, maxLength: 5 }),
});

describe('GroupMember state machine', () => {
  it('theHostHoldsExactlyTheAssignmentAndNothingItDoesNotHoldIsCommitted', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ assignors, heartbeats, syncs }) => {
        const coordinator = new ScriptedCoordinator(
          (request, count) => ({ generationId: count + 1, memberId: request.memberId || `member-${count + 1}` }),
          (_request, count) => ({ assignment: syncs[Math.min(count, syncs.length - 1)]!.map((partition) => ({ topic: 't', partition })) }),
        );
        const { member, host, log } = await setUp(cleanups, coordinator, { assignors: [...assignors] }, { t: PARTITIONS });
        const held = new Set<string>();
        const faults: string[] = [];
        const give = (partitions: readonly TopicPartition[], how: string) => {
          for (const p of partitions) {
            if (!held.delete(partitionKey(p))) faults.push(`${how} ${partitionKey(p)}, which the host did not hold`);
          }
        };
        host.partitionsAssigned = async (partitions) => {
          for (const p of partitions) {
            if (held.has(partitionKey(p))) faults.push(`assigned ${partitionKey(p)} again`);
            held.add(partitionKey(p));
            host.positions.set(partitionKey(p), 1n);
          }
        };
        host.partitionsRevoked = async (partitions) => give(partitions, 'revoked');
        host.partitionsLost = async (partitions) => give(partitions, 'lost');
        coordinator.onCommit = (body: RequestOf<typeof OffsetCommit>) => {
          for (const t of body.topics) {
            for (const p of t.partitions) if (!held.has(`${t.name}-${p.partitionIndex}`)) faults.push(`committed ${t.name}-${p.partitionIndex}, not held`);
          }
        };

        await member.start();
        for (const answer of heartbeats) {
          coordinator.heartbeatError = answer;
          await waitFor(() => coordinator.heartbeatError === 0, 'the heartbeat to take the answer');
          await waitFor(
            () => !member.rebalancing,
            'the member to settle',
            5000,
            () => member.ensureActive(),
          );
          expect([...held].sort(), log.join('\n')).toEqual(member.assignment.map(partitionKey).sort());
        }
        expect(faults, log.join('\n')).toEqual([]);
        await member.leave();
        expect(held.size, 'everything handed back on leave').toBe(0);
        for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      }),
      { numRuns: 50 },
    );
  }, 60_000);
});
