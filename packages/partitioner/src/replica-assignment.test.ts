import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidPartitionsError, InvalidReplicationFactorError } from './errors.js';
import { assignAddedPartitions, assignReplicas } from './replica-assignment.js';

/** How many replicas each broker holds, in broker order. */
function replicaCounts(brokerIds: readonly number[], assignment: readonly (readonly number[])[]): number[] {
  return brokerIds.map((id) => assignment.flat().filter((replica) => replica === id).length);
}

function spread(counts: readonly number[]): number {
  return Math.max(...counts) - Math.min(...counts);
}

// Kafka's rack-unaware placement as AdminUtils describes it, for comparing
// whole rounds of leaders, where ours must not differ from it.
function kafkaPlacement(brokers: number[], partitions: number, rf: number, startIndex: number, shift: number): number[][] {
  const n = brokers.length;
  const out: number[][] = [];
  for (let p = 0; p < partitions; p++) {
    if (p > 0 && p % n === 0) shift++;
    const first = (p + startIndex) % n;
    const replicas = [brokers[first]!];
    for (let j = 0; j < rf - 1; j++) replicas.push(brokers[(first + 1 + ((shift + j) % (n - 1))) % n]!);
    out.push(replicas);
  }
  return out;
}

const placementCase = fc
  .record({
    brokerIds: fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 9 }),
    partitions: fc.integer({ min: 1, max: 64 }),
    rfSeed: fc.nat(),
    randomSeed: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  })
  .map(({ brokerIds, partitions, rfSeed, randomSeed }) => ({
    brokerIds,
    partitions,
    replicationFactor: 1 + (rfSeed % brokerIds.length),
    random: () => randomSeed,
  }));

describe('assignReplicas', () => {
  it('kafkaAdminTestVector', () => {
    // Kafka's AdminTest.testReplicaAssignment: brokers 0-4, 10 partitions, 3 replicas, start index 0.
    expect(assignReplicas({ brokerIds: [0, 1, 2, 3, 4], partitions: 10, replicationFactor: 3, fixedStartIndex: 0 })).toEqual([
      [0, 1, 2],
      [1, 2, 3],
      [2, 3, 4],
      [3, 4, 0],
      [4, 0, 1],
      [0, 2, 3],
      [1, 3, 4],
      [2, 4, 0],
      [3, 0, 1],
      [4, 1, 2],
    ]);
  });

  it('sameAsKafkaForWholeRoundsOfLeaders', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 6 }), fc.nat(), fc.nat(), (n, rounds, rfSeed, start) => {
        const brokers = [...Array(n).keys()].map((i) => 10 + i);
        const rf = 1 + (rfSeed % n);
        const fixedStartIndex = start % n;
        const ours = assignReplicas({ brokerIds: brokers, partitions: n * rounds, replicationFactor: rf, fixedStartIndex });
        expect(ours).toEqual(kafkaPlacement(brokers, n * rounds, rf, fixedStartIndex, fixedStartIndex));
      }),
      { numRuns: 200 },
    );
  });

  it('lastIncompleteRoundIsBalancedWhereKafkasShiftIsNot', () => {
    const brokers = [0, 1, 2, 3];
    // Kafka: [0,1], [1,2] — broker 1 holds two replicas, broker 3 none.
    expect(replicaCounts(brokers, kafkaPlacement(brokers, 2, 2, 0, 0))).toEqual([1, 2, 1, 0]);
    const ours = assignReplicas({ brokerIds: brokers, partitions: 2, replicationFactor: 2, fixedStartIndex: 0 });
    expect(ours).toEqual([
      [0, 2],
      [1, 3],
    ]);
  });

  it('placementInvariants', () => {
    fc.assert(
      fc.property(placementCase, ({ brokerIds, partitions, replicationFactor, random }) => {
        const assignment = assignReplicas({ brokerIds, partitions, replicationFactor, random });
        expect(assignment).toHaveLength(partitions);
        for (const replicas of assignment) {
          expect(replicas).toHaveLength(replicationFactor);
          expect(new Set(replicas).size).toBe(replicationFactor);
          for (const id of replicas) expect(brokerIds).toContain(id);
        }
        const firstRound = assignment.slice(0, brokerIds.length).map((replicas) => replicas[0]);
        expect(new Set(firstRound).size).toBe(firstRound.length);

        const leaders = assignment.map((replicas) => [replicas[0]!]);
        expect(spread(replicaCounts(brokerIds, leaders))).toBeLessThanOrEqual(1);
        const counts = replicaCounts(brokerIds, assignment);
        expect(spread(counts)).toBeLessThanOrEqual(1);
        if ((partitions * replicationFactor) % brokerIds.length === 0) expect(spread(counts)).toBe(0);
      }),
      { numRuns: 400 },
    );
  });

  it('brokerIdsInAnyOrder', () => {
    const sorted = assignReplicas({ brokerIds: [101, 102, 105], partitions: 5, replicationFactor: 2, fixedStartIndex: 1 });
    const shuffled = assignReplicas({ brokerIds: [105, 101, 102], partitions: 5, replicationFactor: 2, fixedStartIndex: 1 });
    expect(shuffled).toEqual(sorted);
    expect(sorted[0]![0]).toBe(102);
  });

  it('randomStartIndexWhenNoneIsFixed', () => {
    const leaderOfPartition0 = (random: () => number) => assignReplicas({ brokerIds: [1, 2, 3, 4], partitions: 1, replicationFactor: 1, random })[0]![0];
    expect(leaderOfPartition0(() => 0)).toBe(1);
    expect(leaderOfPartition0(() => 0.5)).toBe(3);
    expect(leaderOfPartition0(() => 0.99)).toBe(4);
  });

  it('singleBroker', () => {
    expect(assignReplicas({ brokerIds: [7], partitions: 3, replicationFactor: 1 })).toEqual([[7], [7], [7]]);
  });

  it('replicationFactorAboveLiveBrokers', () => {
    const attempt = () => assignReplicas({ brokerIds: [1, 2, 3], partitions: 6, replicationFactor: 4 });
    expect(attempt).toThrow(InvalidReplicationFactorError);
    expect(attempt).toThrow('Replication factor: 4 larger than available brokers: 3.');
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ code: 38, replicationFactor: 4, brokerCount: 3 });
    }
  });

  it('noLiveBrokers', () => {
    expect(() => assignReplicas({ brokerIds: [], partitions: 1, replicationFactor: 1 })).toThrow('Replication factor: 1 larger than available brokers: 0.');
  });

  it.each([0, -1])('replicationFactorBelowOne %s', (replicationFactor) => {
    const attempt = () => assignReplicas({ brokerIds: [1, 2, 3], partitions: 6, replicationFactor });
    expect(attempt).toThrow(InvalidReplicationFactorError);
    expect(attempt).toThrow(`Replication factor must be larger than 0, got ${replicationFactor}.`);
  });

  it('partitionCountBelowOne', () => {
    const attempt = () => assignReplicas({ brokerIds: [1, 2, 3], partitions: 0, replicationFactor: 1 });
    expect(attempt).toThrow(InvalidPartitionsError);
    expect(attempt).toThrow('Number of partitions must be larger than 0, got 0.');
    expect(new InvalidPartitionsError('x').code).toBe(37);
  });

  it('duplicateBrokerId', () => {
    expect(() => assignReplicas({ brokerIds: [1, 2, 2], partitions: 1, replicationFactor: 1 })).toThrow('Broker id 2 is listed twice.');
  });
});

describe('assignAddedPartitions', () => {
  it('continuesTheLeaderRoundRobin', () => {
    const brokerIds = [1, 2, 3];
    const existing = assignReplicas({ brokerIds, partitions: 5, replicationFactor: 2, fixedStartIndex: 1 });
    const added = assignAddedPartitions({ brokerIds, existingAssignment: existing, partitionCount: 9 });
    expect(added).toHaveLength(4);
    expect([...existing, ...added].map((replicas) => replicas[0])).toEqual([2, 3, 1, 2, 3, 1, 2, 3, 1]);
    for (const replicas of added) expect(replicas).toHaveLength(2);
  });

  it('topicStaysBalancedAfterAddingPartitions', () => {
    fc.assert(
      fc.property(placementCase, fc.integer({ min: 1, max: 40 }), (created, more) => {
        const existing = assignReplicas(created);
        const added = assignAddedPartitions({
          brokerIds: created.brokerIds,
          existingAssignment: existing,
          partitionCount: created.partitions + more,
        });
        const whole = [...existing, ...added];
        for (const replicas of added) expect(new Set(replicas).size).toBe(created.replicationFactor);
        expect(
          spread(
            replicaCounts(
              created.brokerIds,
              whole.map((replicas) => [replicas[0]!]),
            ),
          ),
        ).toBeLessThanOrEqual(1);
        const counts = replicaCounts(created.brokerIds, whole);
        expect(spread(counts)).toBeLessThanOrEqual(1);
        if ((whole.length * created.replicationFactor) % created.brokerIds.length === 0) expect(spread(counts)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('partition0LeaderNoLongerLive', () => {
    // Kafka starts from the first live broker with an id at least partition 0's
    // leader's: broker 3, index 1, so partition 2 leads on index (2 + 1) % 3.
    const added = assignAddedPartitions({
      brokerIds: [1, 3, 4],
      existingAssignment: [
        [2, 3],
        [3, 1],
      ],
      partitionCount: 4,
    });
    expect(added.map((replicas) => replicas[0])).toEqual([1, 3]);
  });

  it('replicationFactorAboveTheBrokersStillLive', () => {
    const attempt = () => assignAddedPartitions({ brokerIds: [1, 2], existingAssignment: [[1, 2, 3]], partitionCount: 2 });
    expect(attempt).toThrow(InvalidReplicationFactorError);
    expect(attempt).toThrow('Replication factor: 3 larger than available brokers: 2.');
  });

  it('newCountNotAboveTheCurrentOne', () => {
    const existingAssignment = [[1], [2], [3]];
    expect(() => assignAddedPartitions({ brokerIds: [1, 2, 3], existingAssignment, partitionCount: 3 })).toThrow('Topic already has 3 partitions.');
    const shrink = () => assignAddedPartitions({ brokerIds: [1, 2, 3], existingAssignment, partitionCount: 2 });
    expect(shrink).toThrow(InvalidPartitionsError);
    expect(shrink).toThrow('Topic currently has 3 partitions, which is higher than the requested 2.');
  });
});
