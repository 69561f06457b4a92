import { encodeSubscription } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { ClassicGroupMember, type MemberProtocol } from './classic-group-member.js';
import { ClassicGroup, IllegalGroupStateTransitionError, type GroupState } from './classic-group.js';

const STATES: readonly GroupState[] = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'];

function member(memberId: string, protocols: readonly MemberProtocol[], groupInstanceId: string | null = null): ClassicGroupMember {
  return new ClassicGroupMember(memberId, groupInstanceId, 'client', '/10.0.0.1', 60_000, 10_000, 'consumer', protocols);
}

const subscription = (...topics: string[]) => encodeSubscription({ topics, userData: null, ownedPartitions: [], generationId: -1, rackId: null }, 0);

/** A group in `state`, reached by Kafka's own transitions. */
function groupIn(state: GroupState): ClassicGroup {
  const group = new ClassicGroup('g', 0);
  const path: Record<GroupState, GroupState[]> = {
    Empty: [],
    PreparingRebalance: ['PreparingRebalance'],
    CompletingRebalance: ['PreparingRebalance', 'CompletingRebalance'],
    Stable: ['PreparingRebalance', 'CompletingRebalance', 'Stable'],
    Dead: ['Dead'],
  };
  for (const s of path[state]) group.transitionTo(s, 1);
  return group;
}

describe('ClassicGroup', () => {
  it('transitionsKafkaAllowsAndRefusesTheRest', () => {
    const allowed = new Set([
      'Empty>PreparingRebalance',
      'Empty>Dead',
      'PreparingRebalance>CompletingRebalance',
      'PreparingRebalance>Empty',
      'PreparingRebalance>Dead',
      'CompletingRebalance>Stable',
      'CompletingRebalance>PreparingRebalance',
      'CompletingRebalance>Dead',
      'Stable>PreparingRebalance',
      'Stable>Dead',
      'Dead>Dead',
    ]);
    for (const from of STATES) {
      for (const to of STATES) {
        const group = groupIn(from);
        if (allowed.has(`${from}>${to}`)) {
          group.transitionTo(to, 7);
          expect(group.state).toBe(to);
          expect(group.currentStateTimestamp).toBe(7);
        } else {
          expect(() => group.transitionTo(to, 7), `${from} -> ${to}`).toThrow(IllegalGroupStateTransitionError);
        }
      }
    }
  });

  it('protocolSelectionIsTheVoteAmongProtocolsAllMembersSupport', () => {
    const group = new ClassicGroup('g', 0);
    const p = (name: string) => ({ name, metadata: Buffer.from(name) });
    group.add(member('a', [p('range'), p('roundrobin'), p('sticky')]));
    group.add(member('b', [p('roundrobin'), p('range')]));
    group.add(member('c', [p('sticky'), p('roundrobin'), p('range')]));
    // candidates: range, roundrobin; votes: a→range, b→roundrobin, c→roundrobin
    expect(group.candidateProtocols()).toEqual(new Set(['range', 'roundrobin']));
    expect(group.selectProtocol()).toBe('roundrobin');
  });

  it('leaderIsTheFirstMemberAndPassesToTheEarliestLeft', () => {
    const group = new ClassicGroup('g', 0);
    const p = [{ name: 'range', metadata: Buffer.alloc(0) }];
    group.add(member('a', p));
    group.add(member('b', p));
    group.add(member('c', p));
    expect(group.leaderId).toBe('a');
    group.remove('b');
    expect(group.leaderId).toBe('a');
    group.remove('a');
    expect(group.leaderId).toBe('c');
    group.remove('c');
    expect(group.leaderId).toBeNull();
  });

  it('recordRoundTripKeepsMembersAssignmentsAndStableState', () => {
    const group = new ClassicGroup('g', 5);
    group.add(member('a', [{ name: 'range', metadata: subscription('t1') }], 'inst-a'));
    group.add(member('b', [{ name: 'range', metadata: subscription('t2') }]));
    group.transitionTo('PreparingRebalance', 10);
    group.initNextGeneration(11);
    group.member('a')!.assignment = Buffer.from([1, 2]);
    group.transitionTo('Stable', 12);
    const value = group.toRecordValue();
    const loaded = ClassicGroup.fromRecord('g', value, 99);
    expect(loaded.state).toBe('Stable');
    expect(loaded.generationId).toBe(1);
    expect(loaded.protocolName).toBe('range');
    expect(loaded.leaderId).toBe('a');
    expect(loaded.currentStateTimestamp).toBe(12);
    expect(loaded.memberIdOfInstance('inst-a')).toBe('a');
    expect(Buffer.from(loaded.member('a')!.assignment)).toEqual(Buffer.from([1, 2]));
    expect(loaded.isSubscribedTo('t2')).toBe(true);
    expect(loaded.isSubscribedTo('t3')).toBe(false);
    expect(loaded.toRecordValue()).toEqual(value);
  });

  it('loadedGroupWithoutMembersIsEmpty', () => {
    const loaded = ClassicGroup.fromRecord('g', { protocolType: 'consumer', generation: 4, protocol: null, leader: null, currentStateTimestamp: -1n, members: [] }, 42);
    expect(loaded.state).toBe('Empty');
    expect(loaded.generationId).toBe(4);
    expect(loaded.currentStateTimestamp).toBe(42);
    expect(loaded.isSubscribedTo('t')).toBe(false);
  });

  it('subscriptionIsUnknowableForOtherProtocolTypes', () => {
    const group = new ClassicGroup('g', 0);
    group.add(new ClassicGroupMember('a', null, 'c', 'h', 1, 1, 'connect', [{ name: 'v1', metadata: Buffer.from('x') }]));
    group.transitionTo('PreparingRebalance', 1);
    group.initNextGeneration(1);
    expect(group.isSubscribedTo('t')).toBeUndefined();
  });
});
