import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KafkaConfigError } from '../../errors/index.js';
import { type Assignor, type MemberSubscription, type TopicPartition, partitionKey } from './assignor.js';
import { rebalanceProtocolOf, resolveAssignors } from './assignors.js';
import { CooperativeStickyAssignor } from './cooperative-sticky-assignor.js';
import { RangeAssignor } from './range-assignor.js';
import { RoundRobinAssignor } from './round-robin-assignor.js';
import { stickyAssignment } from './sticky-assignment.js';

const RUNS = { numRuns: 200 };

function member(memberId: string, topics: string[], extra: Partial<MemberSubscription> = {}): MemberSubscription {
  return { memberId, groupInstanceId: null, topics, ownedPartitions: [], generationId: -1, userData: null, ...extra };
}

function tp(name: string): TopicPartition {
  const [, topic, partition] = /^(.*)p(\d+)$/.exec(name)!;
  return { topic: topic!, partition: Number(partition) };
}

function names(assignment: Map<string, TopicPartition[]>): Record<string, string[]> {
  return Object.fromEntries([...assignment].map(([id, partitions]) => [id, partitions.map((p) => `${p.topic}p${p.partition}`).sort()]));
}

// A group: topics with partition counts, members each subscribed to some of them.
const groupArbitrary = fc
  .record({
    topics: fc.uniqueArray(fc.constantFrom('t0', 't1', 't2', 't3', 't4'), { minLength: 1, maxLength: 5 }),
    counts: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 5, maxLength: 5 }),
    members: fc.integer({ min: 1, max: 7 }),
    seed: fc.array(fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), { minLength: 7, maxLength: 7 }),
    sameSubscription: fc.boolean(),
  })
  .map(({ topics, counts, members, seed, sameSubscription }) => {
    const partitionsPerTopic = new Map<string, number>(topics.map((topic, index) => [topic, counts[index]!]));
    const subscriptions = Array.from({ length: members }, (_, index) => {
      const chosen = sameSubscription ? topics : topics.filter((_, t) => seed[index]![t]);
      return member(`m${index}`, chosen.length === 0 ? [topics[0]!] : chosen);
    });
    return { partitionsPerTopic, members: subscriptions };
  });

function expectEveryPartitionOnceToASubscriber(
  members: readonly MemberSubscription[],
  partitionsPerTopic: ReadonlyMap<string, number>,
  assignment: Map<string, TopicPartition[]>,
  allowUnassigned = false,
): void {
  expect([...assignment.keys()].sort()).toEqual(members.map((m) => m.memberId).sort());
  const seen = new Set<string>();
  for (const [memberId, partitions] of assignment) {
    const subscription = members.find((m) => m.memberId === memberId)!;
    for (const partition of partitions) {
      expect(subscription.topics).toContain(partition.topic);
      expect(partition.partition).toBeLessThan(partitionsPerTopic.get(partition.topic)!);
      expect(seen.has(partitionKey(partition))).toBe(false);
      seen.add(partitionKey(partition));
    }
  }
  if (allowUnassigned) return;
  const subscribed = new Set(members.flatMap((m) => m.topics));
  for (const [topic, count] of partitionsPerTopic) {
    if (!subscribed.has(topic)) continue;
    for (let partition = 0; partition < count; partition++) expect(seen.has(`${topic}-${partition}`)).toBe(true);
  }
}

/** Kafka's notion of balanced: no partition could move to an eligible member with two fewer. */
function expectBalanced(members: readonly MemberSubscription[], assignment: Map<string, TopicPartition[]>): void {
  for (const [memberId, partitions] of assignment) {
    for (const partition of partitions) {
      for (const other of members) {
        if (other.memberId === memberId || !other.topics.includes(partition.topic)) continue;
        expect(partitions.length - assignment.get(other.memberId)!.length).toBeLessThan(2);
      }
    }
  }
}

describe('range assignor', () => {
  it('matchesKafkasDocumentedExample', () => {
    const assignment = new RangeAssignor().assign(
      [member('C0', ['t0', 't1']), member('C1', ['t0', 't1'])],
      new Map([
        ['t0', 3],
        ['t1', 3],
      ]),
    );
    expect(names(assignment)).toEqual({ C0: ['t0p0', 't0p1', 't1p0', 't1p1'], C1: ['t0p2', 't1p2'] });
  });

  it('ordersStaticMembersFirstByInstanceId', () => {
    const members = [member('a', ['t']), member('b', ['t'], { groupInstanceId: 'z' }), member('c', ['t'], { groupInstanceId: 'y' })];
    expect(names(new RangeAssignor().assign(members, new Map([['t', 4]])))).toEqual({ c: ['tp0', 'tp1'], b: ['tp2'], a: ['tp3'] });
  });

  it('assignsEveryPartitionOnceToASubscriber', () => {
    fc.assert(
      fc.property(groupArbitrary, ({ members, partitionsPerTopic }) => {
        expectEveryPartitionOnceToASubscriber(members, partitionsPerTopic, new RangeAssignor().assign(members, partitionsPerTopic));
      }),
      RUNS,
    );
  });
});

describe('round-robin assignor', () => {
  it('matchesKafkasDocumentedExampleWithEqualSubscriptions', () => {
    const assignment = new RoundRobinAssignor().assign(
      [member('C0', ['t0', 't1']), member('C1', ['t0', 't1'])],
      new Map([
        ['t0', 3],
        ['t1', 3],
      ]),
    );
    expect(names(assignment)).toEqual({ C0: ['t0p0', 't0p2', 't1p1'], C1: ['t0p1', 't1p0', 't1p2'] });
  });

  it('matchesKafkasDocumentedExampleWithDifferentSubscriptions', () => {
    const members = [member('C0', ['t0']), member('C1', ['t0', 't1']), member('C2', ['t0', 't1', 't2'])];
    const assignment = new RoundRobinAssignor().assign(
      members,
      new Map([
        ['t0', 1],
        ['t1', 2],
        ['t2', 3],
      ]),
    );
    expect(names(assignment)).toEqual({ C0: ['t0p0'], C1: ['t1p0'], C2: ['t1p1', 't2p0', 't2p1', 't2p2'] });
  });

  it('assignsEveryPartitionOnceToASubscriberBalancedWhenSubscriptionsAreEqual', () => {
    fc.assert(
      fc.property(groupArbitrary, ({ members, partitionsPerTopic }) => {
        const assignment = new RoundRobinAssignor().assign(members, partitionsPerTopic);
        expectEveryPartitionOnceToASubscriber(members, partitionsPerTopic, assignment);
        if (members.every((m) => m.topics.join() === members[0]!.topics.join())) {
          const sizes = [...assignment.values()].map((p) => p.length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        }
      }),
      RUNS,
    );
  });
});

// Members that owned partitions in a previous generation: a previous assignment, minus some members, plus new ones.
const rebalanceArbitrary = fc
  .record({ group: groupArbitrary, leavers: fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }), joiners: fc.integer({ min: 0, max: 3 }) })
  .map(({ group, leavers, joiners }) => {
    const previous = stickyAssignment(group.members, group.partitionsPerTopic);
    const stayers = group.members.filter((_, index) => !leavers[index] || index === 0).map((m) => ({ ...m, ownedPartitions: previous.get(m.memberId)!, generationId: 4 }));
    const newcomers = Array.from({ length: joiners }, (_, index) => member(`n${index}`, [...group.members[index % group.members.length]!.topics]));
    return { partitionsPerTopic: group.partitionsPerTopic, members: [...stayers, ...newcomers] };
  });

function ownedCount(members: readonly MemberSubscription[], assignment: Map<string, TopicPartition[]>): number {
  return members.reduce((kept, m) => {
    const assigned = new Set(assignment.get(m.memberId)!.map(partitionKey));
    return kept + m.ownedPartitions.filter((p) => assigned.has(partitionKey(p))).length;
  }, 0);
}

/** With equal subscriptions: the most owned partitions any balanced assignment keeps (larger quotas to larger owners). */
function mostKeepable(members: readonly MemberSubscription[], partitionCount: number): number {
  const owned = members.map((m) => m.ownedPartitions.length).sort((a, b) => b - a);
  const minQuota = Math.floor(partitionCount / members.length);
  const withExtra = partitionCount % members.length;
  return owned.reduce((sum, count, index) => sum + Math.min(count, minQuota + (index < withExtra ? 1 : 0)), 0);
}

describe('cooperative-sticky assignor', () => {
  it('keepsEveryPartitionOfTheMembersThatStayWhenOneLeaves', () => {
    // Kafka's StickyAssignor example: C1 leaves, C0 and C2 keep all they had.
    const owned = { C0: ['t0p0', 't1p1', 't3p0'], C2: ['t1p0', 't2p1'] };
    const topics = ['t0', 't1', 't2', 't3'];
    const members = Object.entries(owned).map(([id, parts]) => member(id, topics, { ownedPartitions: parts.map(tp), generationId: 3 }));
    const assignment = names(new CooperativeStickyAssignor().assign(members, new Map(topics.map((t) => [t, 2]))));
    expect(assignment.C0).toEqual(expect.arrayContaining(owned.C0));
    expect(assignment.C2).toEqual(expect.arrayContaining(owned.C2));
    expect(assignment.C0!.length + assignment.C2!.length).toBe(8);
  });

  it('holdsBackAPartitionThatMovesUntilItsOwnerRevokedIt', () => {
    const first = member('a', ['t'], { ownedPartitions: [0, 1, 2, 3].map((partition) => ({ topic: 't', partition })), generationId: 1 });
    const assignor = new CooperativeStickyAssignor();
    const round1 = assignor.assign([first, member('b', ['t'])], new Map([['t', 4]]));
    expect(round1.get('a')!.length).toBe(2);
    expect(round1.get('b')).toEqual([]);
    const round2 = assignor.assign([{ ...first, ownedPartitions: round1.get('a')!, generationId: 2 }, member('b', ['t'], { generationId: 2 })], new Map([['t', 4]]));
    expect(round2.get('a')).toEqual(round1.get('a'));
    expect(round2.get('b')!.length).toBe(2);
  });

  it('ignoresOwnershipClaimedInAnOlderGeneration', () => {
    const stale = member('a', ['t'], { ownedPartitions: [tp('tp0'), tp('tp1')], generationId: 2 });
    const current = member('b', ['t'], { ownedPartitions: [tp('tp2')], generationId: 5 });
    const target = stickyAssignment([stale, current], new Map([['t', 4]]));
    expect(target.get('b')).toContainEqual(tp('tp2'));
    // The stale claims still hold the partitions back from b in this round.
    const assignment = new CooperativeStickyAssignor().assign([stale, current], new Map([['t', 4]]));
    for (const partition of assignment.get('b')!) expect(['t-0', 't-1']).not.toContain(partitionKey(partition));
  });

  it('assignsEveryPartitionOnceToASubscriberBalancedFromScratch', () => {
    fc.assert(
      fc.property(groupArbitrary, ({ members, partitionsPerTopic }) => {
        const assignment = new CooperativeStickyAssignor().assign(members, partitionsPerTopic);
        expectEveryPartitionOnceToASubscriber(members, partitionsPerTopic, assignment);
        expectBalanced(members, assignment);
      }),
      RUNS,
    );
  });

  it('neverAssignsAPartitionAnotherMemberStillOwns', () => {
    fc.assert(
      fc.property(rebalanceArbitrary, ({ members, partitionsPerTopic }) => {
        const assignment = new CooperativeStickyAssignor().assign(members, partitionsPerTopic);
        expectEveryPartitionOnceToASubscriber(members, partitionsPerTopic, assignment, true);
        for (const [memberId, partitions] of assignment) {
          const assigned = new Set(partitions.map(partitionKey));
          for (const other of members) {
            if (other.memberId === memberId) continue;
            for (const owned of other.ownedPartitions) expect(assigned.has(partitionKey(owned))).toBe(false);
          }
        }
      }),
      RUNS,
    );
  });

  it('keepsAsManyOwnedPartitionsAsBalanceAllows', () => {
    fc.assert(
      fc.property(rebalanceArbitrary, ({ members, partitionsPerTopic }) => {
        const target = stickyAssignment(members, partitionsPerTopic);
        expectEveryPartitionOnceToASubscriber(members, partitionsPerTopic, target);
        expectBalanced(members, target);
        // Kept partitions flow on: the cooperative assignment holds back none of them.
        const assignment = new CooperativeStickyAssignor().assign(members, partitionsPerTopic);
        expect(ownedCount(members, assignment)).toBe(ownedCount(members, target));
        const topics: readonly string[] = members[0]!.topics;
        if (members.every((m) => m.topics.length === topics.length && m.topics.every((t) => topics.includes(t)))) {
          const partitionCount = topics.reduce((sum, t) => sum + partitionsPerTopic.get(t)!, 0);
          expect(ownedCount(members, target)).toBe(mostKeepable(members, partitionCount));
        }
      }),
      RUNS,
    );
  });

  it('settlesBalancedInTheFollowUpRebalanceWhenSubscriptionsAreEqual', () => {
    fc.assert(
      fc.property(rebalanceArbitrary, ({ members, partitionsPerTopic }) => {
        fc.pre(members.every((m) => m.topics.join() === members[0]!.topics.join()));
        const assignor = new CooperativeStickyAssignor();
        const round1 = assignor.assign(members, partitionsPerTopic);
        const round2 = assignor.assign(rejoin(members, round1, 5), partitionsPerTopic);
        expectEveryPartitionOnceToASubscriber(members, partitionsPerTopic, round2);
        expectBalanced(members, round2);
        for (const [memberId, partitions] of round1) expect(round2.get(memberId)).toEqual(expect.arrayContaining(partitions));
      }),
      RUNS,
    );
  });

  it('settlesBalancedWithinAFewRebalancesWhenSubscriptionsDiffer', () => {
    fc.assert(
      fc.property(rebalanceArbitrary, ({ members, partitionsPerTopic }) => {
        const assignor = new CooperativeStickyAssignor();
        let group = members;
        let assignment = assignor.assign(group, partitionsPerTopic);
        for (let generation = 5; generation < 9 && !sameAssignment(group, assignment); generation++) {
          group = rejoin(group, assignment, generation);
          assignment = assignor.assign(group, partitionsPerTopic);
        }
        expect(sameAssignment(group, assignment)).toBe(true);
        expectEveryPartitionOnceToASubscriber(group, partitionsPerTopic, assignment);
        expectBalanced(group, assignment);
      }),
      RUNS,
    );
  });
});

/** Each member revoked what it owned and was not given, and rejoins owning what it kept and got. */
function rejoin(members: readonly MemberSubscription[], assignment: Map<string, TopicPartition[]>, generationId: number): MemberSubscription[] {
  return members.map((m) => ({ ...m, ownedPartitions: assignment.get(m.memberId)!, generationId }));
}

/** No member is asked to revoke anything: the rebalance is over. */
function sameAssignment(members: readonly MemberSubscription[], assignment: Map<string, TopicPartition[]>): boolean {
  return members.every((m) => m.ownedPartitions.map(partitionKey).sort().join() === assignment.get(m.memberId)!.map(partitionKey).sort().join());
}

describe('assignor options', () => {
  it('resolvesNamesInPreferenceOrderDefaultingToKafkas', () => {
    expect(resolveAssignors(undefined).map((a) => a.name)).toEqual(['range', 'cooperative-sticky']);
    expect(resolveAssignors(['roundrobin']).map((a) => a.name)).toEqual(['roundrobin']);
  });

  it('rebalancesCooperativelyOnlyWhenEveryAssignorCan', () => {
    expect(rebalanceProtocolOf(resolveAssignors(['cooperative-sticky']))).toBe('cooperative');
    expect(rebalanceProtocolOf(resolveAssignors(['range', 'cooperative-sticky']))).toBe('eager');
  });

  it('acceptsACustomAssignor', () => {
    const custom: Assignor = { name: 'mine', rebalanceProtocol: 'eager', assign: () => new Map() };
    expect(resolveAssignors(['range', custom])[1]).toBe(custom);
  });

  it('rejectsUnknownEmptyAndDuplicateAssignors', () => {
    expect(() => resolveAssignors(['sticky' as never])).toThrow(KafkaConfigError);
    expect(() => resolveAssignors(['sticky' as never])).toThrow(/bad option assignors: "sticky"; allowed: range, roundrobin, cooperative-sticky/);
    expect(() => resolveAssignors([])).toThrow(/bad option assignors/);
    expect(() => resolveAssignors(['range', 'range'])).toThrow(/range is listed twice/);
  });
});
