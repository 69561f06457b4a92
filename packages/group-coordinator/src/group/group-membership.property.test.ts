// A classic group driven by random joins, syncs, heartbeats, leaves, static
// restarts, failed stores and time steps from several clients behaving as
// Kafka clients do (one join or sync in flight each, the leader assigning to
// the members its JoinGroup answer named). Checked after every step: the
// state is one Kafka allows (a forbidden transition throws), the generation
// only grows, a Stable group's members hold the leader's assignment of the
// current generation, every SyncGroup answered NONE carries the assignment
// of its own member and generation; at the end every request was answered.
import { ErrorCode, type JoinGroup, type ResponseOf } from '@kstream/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MembershipHarness, settle } from './membership.test-support.js';

type Action =
  | { readonly kind: 'join' | 'sync' | 'heartbeat' | 'leave' | 'restart'; readonly client: number }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'storeFails'; readonly fails: boolean };

const CLIENTS = 4;
/** Clients 0 and 1 are static members. */
const instanceOf = (client: number): string | null => (client < 2 ? `inst-${client}` : null);
/** The JoinGroup version each client speaks: v9 skips the assignment of a restarted static leader, v3 knows no MEMBER_ID_REQUIRED. */
const JOIN_VERSIONS = [9, 5, 3, 9];

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('join', 'sync'), client: fc.integer({ min: 0, max: CLIENTS - 1 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('heartbeat', 'leave', 'restart'), client: fc.integer({ min: 0, max: CLIENTS - 1 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance'), ms: fc.constantFrom(100, 1_000, 3_000, 7_000, 12_000, 31_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('storeFails'), fails: fc.constantFrom(false, false, true) }) },
) as fc.Arbitrary<Action>;

interface Client {
  readonly instanceId: string | null;
  memberId: string;
  generation: number;
  /** The members to assign to, when its last JoinGroup answer made it leader (and did not say skip). */
  assignTo: ResponseOf<typeof JoinGroup>['members'] | undefined;
  inFlight: boolean;
  /** Bumped by a restart: answers to an older process are ignored. */
  process: number;
}

const assignmentFor = (key: string, generation: number) => Buffer.from(`${key}@${generation}`);

async function run(actions: readonly Action[]): Promise<void> {
  const h = new MembershipHarness();
  h.config = { ...h.config, groupInitialRebalanceDelayMs: 1_000 };
  // Stores take time, so joins, leaves and timeouts land while one is in flight.
  h.storeDelayMs = 500;
  const clients: Client[] = Array.from({ length: CLIENTS }, (_, i) => ({
    instanceId: instanceOf(i),
    memberId: '',
    generation: -1,
    assignTo: undefined,
    inFlight: false,
    process: 0,
  }));
  const answered: Promise<unknown>[] = [];
  const failures: string[] = [];
  let lastGeneration = h.group.generationId;

  const send = <T>(client: Client, promise: Promise<T>, onAnswer: (answer: T) => void): void => {
    const process = client.process;
    client.inFlight = true;
    answered.push(
      promise.then((answer) => {
        if (client.process !== process) return;
        client.inFlight = false;
        onAnswer(answer);
      }),
    );
  };

  for (const a of actions) {
    if (a.kind === 'advance') h.time.advance(a.ms);
    else if (a.kind === 'storeFails') h.storeErrorCode = a.fails ? ErrorCode.NOT_ENOUGH_REPLICAS : ErrorCode.NONE;
    else {
      const c = clients[a.client]!;
      if (a.kind === 'restart' && c.instanceId !== null) {
        c.process++;
        Object.assign(c, { memberId: '', generation: -1, assignTo: undefined, inFlight: false });
      } else if (a.kind === 'leave' && c.memberId !== '') {
        void h.leave([{ memberId: c.memberId, groupInstanceId: c.instanceId, reason: null }]);
        c.process++;
        Object.assign(c, { memberId: '', generation: -1, assignTo: undefined, inFlight: false });
      } else if (c.inFlight) {
        // One join or sync at a time, as a client does.
      } else if (a.kind === 'join' || a.kind === 'restart') {
        send(c, h.join({ memberId: c.memberId, groupInstanceId: c.instanceId, clientId: `client${a.client}`, version: JOIN_VERSIONS[a.client]! }).promise, (r) => {
          if (r.errorCode === ErrorCode.NONE) {
            Object.assign(c, { memberId: r.memberId, generation: r.generationId });
            c.assignTo = r.leader === r.memberId && !r.skipAssignment ? r.members : undefined;
          } else if (r.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
            c.memberId = r.memberId;
          } else if (r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || r.errorCode === ErrorCode.FENCED_INSTANCE_ID) {
            Object.assign(c, { memberId: '', generation: -1, assignTo: undefined });
          }
        });
      } else if (a.kind === 'sync' && c.generation >= 0) {
        const generation = c.generation;
        const assignments = (c.assignTo ?? []).map((m) => ({ memberId: m.memberId, assignment: assignmentFor(m.groupInstanceId ?? m.memberId, generation) }));
        const memberId = c.memberId;
        send(c, h.sync(memberId, generation, assignments, { groupInstanceId: c.instanceId }).promise, (r) => {
          if (r.errorCode !== ErrorCode.NONE) return;
          const expected = assignmentFor(c.instanceId ?? memberId, generation);
          if (!r.assignment.equals(expected)) failures.push(`${memberId} got ${r.assignment.toString()} in generation ${generation}, expected ${expected.toString()}`);
        });
      } else if (a.kind === 'heartbeat' && c.generation >= 0) {
        const hb = h.heartbeat(c.memberId, c.generation, c.instanceId);
        answered.push(hb);
      }
    }
    await settle();

    expect(['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable']).toContain(h.group.state);
    expect(h.group.generationId).toBeGreaterThanOrEqual(lastGeneration);
    lastGeneration = h.group.generationId;
    if (h.group.state === 'Stable') {
      for (const m of h.group.allMembers()) {
        expect(m.assignment.toString(), `member ${m.memberId} of Stable generation ${h.group.generationId}`).toBe(
          assignmentFor(m.groupInstanceId ?? m.memberId, h.group.generationId).toString(),
        );
      }
    }
    expect(failures).toEqual([]);
  }

  h.membership.unload(h.group);
  // Stores still in flight are acknowledged to a group that left: nothing may change.
  h.time.advance(h.storeDelayMs);
  await settle();
  expect(h.group.state).toBe('Dead');
  expect(h.time.pendingTimers).toBe(0);
  let unanswered = answered.length;
  for (const p of answered) void p.then(() => unanswered--);
  await settle();
  expect(unanswered).toBe(0);
  expect(h.logs.lines.filter((l) => l.level === 'error' && !l.msg.includes('no members rejoined'))).toEqual([]);
}

describe('ClassicGroupMembership state machine', () => {
  it('randomClientsKeepKafkasInvariants', async () => {
    await fc.assert(fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 120, size: 'max' }), run), { numRuns: 200 });
  });
});
