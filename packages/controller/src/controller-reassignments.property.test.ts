// Random sequences of reassignments (and cancels), ISR changes the leader
// asks for, fencing and registration keep KRaft's invariants of a
// reassignment: while one is ongoing the replicas are the target followed by
// those being removed, adding and removing replicas are replicas and never
// both; it completes only once every adding replica is in the ISR, to
// exactly the target; a cancel goes back to the original replicas; and
// throughout the leader is an ISR member or -1, the ISR a non-empty subset
// of the replicas, the epochs bumped as every PartitionRecord must.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MetadataRecord, MetadataState, PartitionRecord, PartitionState } from '@kstream/metadata';
import { alterPartition } from './controller-isr.js';
import { alterPartitionReassignments } from './controller-reassignments.js';
import { contextOf, stateWith, TOPIC_ID } from './elections.test-support.js';
import { fenceChanges, registrationChanges } from './partition-elections.js';
import type { PartitionChange } from './partition-elections.js';

const BROKERS = [1, 2, 3, 4, 5];

type Event =
  | { readonly kind: 'reassign'; readonly target: readonly number[] | null }
  | { readonly kind: 'alter'; readonly keep: readonly boolean[] }
  | { readonly kind: 'fence'; readonly broker: number }
  | { readonly kind: 'register'; readonly broker: number };

const broker = fc.constantFrom(...BROKERS);
const event: fc.Arbitrary<Event> = fc.oneof(
  fc.record({ kind: fc.constant('reassign' as const), target: fc.option(fc.shuffledSubarray(BROKERS, { minLength: 1, maxLength: 4 }), { freq: 4 }) }),
  fc.record({ kind: fc.constant('alter' as const), keep: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }) }),
  fc.record({ kind: fc.constant('alter' as const), keep: fc.constant([true, true, true, true, true]) }),
  fc.record({ kind: fc.constant('fence' as const), broker }),
  fc.record({ kind: fc.constant('register' as const), broker }),
);

const ongoing = (p: PartitionState) => p.addingReplicas.length > 0 || p.removingReplicas.length > 0;
const sorted = (list: readonly number[]) => [...list].sort((a, b) => a - b);

/** Decides one event over `state`: the records to apply in order, and whether it was a cancel the controller accepted. */
async function decide(state: MetadataState, e: Event, nextEpoch: () => number): Promise<{ records: MetadataRecord[]; cancelled: boolean }> {
  const p = state.partition('t', 0)!;
  const records = (changes: readonly PartitionChange[]) => changes.map((c) => c.record);
  switch (e.kind) {
    case 'reassign': {
      const request = { type: 'AlterPartitionReassignments' as const, topics: [{ name: 't', partitions: [{ partition: 0, replicas: e.target }] }] };
      const decision = await alterPartitionReassignments(contextOf(state), request);
      return { records: records(decision.changes), cancelled: e.target === null && decision.results[0]!.partitions[0]!.errorCode === 0 };
    }
    case 'alter': {
      if (p.leader === -1) return { records: [], cancelled: false };
      const eligible = (r: number) => state.broker(r)?.fenced === false;
      const newIsr = [p.leader, ...p.replicas.filter((r, i) => r !== p.leader && e.keep[i] && eligible(r))];
      const partition = { topicId: TOPIC_ID, partition: 0, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr };
      const brokerEpoch = state.broker(p.leader)!.brokerEpoch;
      const decision = await alterPartition(contextOf(state), { type: 'AlterPartition', brokerId: p.leader, brokerEpoch, partitions: [partition] });
      expect(decision.partitions[0]!.errorCode).toBe(0);
      return { records: records(decision.changes), cancelled: false };
    }
    case 'fence': {
      const registration = state.broker(e.broker)!;
      if (registration.fenced) return { records: [], cancelled: false };
      const changes = await fenceChanges(contextOf(state, { fencing: e.broker }), e.broker);
      const fence: MetadataRecord = { type: 'FenceBroker', brokerId: e.broker, brokerEpoch: registration.brokerEpoch, reason: 'test' };
      return { records: [fence, ...records(changes)], cancelled: false };
    }
    case 'register': {
      if (!state.broker(e.broker)!.fenced) return { records: [], cancelled: false };
      const register: MetadataRecord = { type: 'RegisterBroker', brokerId: e.broker, brokerEpoch: nextEpoch(), host: 'h', port: e.broker };
      const changes = await registrationChanges(contextOf(state, { registering: e.broker }), e.broker);
      return { records: [register, ...records(changes)], cancelled: false };
    }
  }
}

function checkRecord(before: PartitionState, record: PartitionRecord, cancelled: boolean): void {
  expect(record.partitionEpoch).toBe(before.partitionEpoch + 1);
  expect(record.leaderEpoch).toBe(record.leader === before.leader ? before.leaderEpoch : before.leaderEpoch + 1);
  const completedOrCancelled = ongoing(before) && (record.addingReplicas ?? []).length === 0 && (record.removingReplicas ?? []).length === 0;
  if (!completedOrCancelled) return;
  if (cancelled) {
    // Back to the replicas before the reassignment: the adding ones leave, the removing ones stay.
    expect(sorted(record.replicas)).toEqual(sorted(before.replicas.filter((r) => !before.addingReplicas.includes(r))));
  } else {
    // Nothing dropped before the new replicas kept caught up (a new target may leave out some that were adding).
    for (const r of before.addingReplicas) if (record.replicas.includes(r)) expect(record.isr).toContain(r);
  }
}

function checkState(p: PartitionState, target: readonly number[] | undefined): void {
  expect(p.leader === -1 || p.isr.includes(p.leader), `leader ${p.leader} in ISR [${p.isr}] or -1`).toBe(true);
  expect(p.isr.length).toBeGreaterThan(0);
  for (const r of p.isr) expect(p.replicas).toContain(r);
  expect(new Set(p.replicas).size).toBe(p.replicas.length);
  for (const r of p.addingReplicas) expect(p.replicas).toContain(r);
  for (const r of p.removingReplicas) expect(p.replicas).toContain(r);
  for (const r of p.addingReplicas) expect(p.removingReplicas).not.toContain(r);
  if (ongoing(p)) {
    // replicas = target ∪ removing, the target first, in its order.
    expect(p.replicas).toEqual([...target!, ...p.removingReplicas]);
  } else if (target !== undefined) {
    expect(p.replicas).toEqual(target);
  }
}

describe('reassignment invariants', () => {
  it('reassignmentInvariantsHold: random reassignments, cancels, ISR changes, fencing and registration', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 40 }), async (events) => {
        const state = stateWith(5, [{ replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1 }]);
        let epoch = 100;
        // The last target accepted, until a cancel; undefined before any.
        let target: readonly number[] | undefined;
        for (const e of events) {
          const { records, cancelled } = await decide(state, e, () => epoch++);
          for (const record of records) {
            if (record.type === 'Partition') checkRecord(state.partition('t', 0)!, record, cancelled);
            state.apply(record);
          }
          const p = state.partition('t', 0)!;
          if (e.kind === 'reassign' && e.target !== null && records.length > 0) target = e.target;
          if (cancelled) target = undefined;
          checkState(p, target);
        }
      }),
      { numRuns: 300 },
    );
  });
});
