import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import type { ElectLeadersRequest } from '@kstream/metadata';
import { electLeaders } from './controller-elect-leaders.js';
import { contextOf, partitionRecord, recordsOf, stateWith } from './elections.test-support.js';
import type { PartitionSpec } from './elections.test-support.js';

// t-0 led by its preferred replica; t-1 led by 2 with 1 back in the ISR;
// t-2 led by 2, 1 not in the ISR; t-3 without a leader, its ISR (1) fenced;
// t-4 without a leader, every replica fenced.
const partitions: PartitionSpec[] = [
  { replicas: [1, 2], isr: [1, 2], leader: 1 },
  { replicas: [1, 2], isr: [2, 1], leader: 2, leaderEpoch: 1, partitionEpoch: 2 },
  { replicas: [1, 2], isr: [2], leader: 2 },
  { replicas: [3, 2], isr: [3], leader: -1, leaderEpoch: 1, partitionEpoch: 1 },
  { replicas: [3], isr: [3], leader: -1 },
];

function elect(electionType: ElectLeadersRequest['electionType'], topicPartitions: ElectLeadersRequest['topicPartitions']) {
  return electLeaders(contextOf(stateWith(3, partitions, [3])), { type: 'ElectLeaders', electionType, topicPartitions });
}

const codes = async (decision: ReturnType<typeof elect>) => (await decision).results.map((t) => [t.topic, t.partitions.map((p) => [p.partition, p.errorCode])]);

describe('ElectLeaders', () => {
  it('preferredResultCodes: elected, ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const decision = elect('preferred', [
      { topic: 't', partitions: [0, 1, 2, 3, 9, 1] },
      { topic: 'nope', partitions: [0] },
    ]);
    expect(await codes(decision)).toEqual([
      [
        't',
        [
          [0, ErrorCode.ELECTION_NOT_NEEDED],
          [1, ErrorCode.NONE],
          [2, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
          [3, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
          [9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ],
      ],
      ['nope', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
    ]);
    expect(recordsOf((await decision).changes)).toEqual([partitionRecord(1, { replicas: [1, 2], isr: [2, 1], leader: 1, leaderEpoch: 2, partitionEpoch: 3 })]);
  });

  it('uncleanResultCodes: a leaderless partition takes any live replica; ELECTION_NOT_NEEDED with a leader; ELIGIBLE_LEADERS_NOT_AVAILABLE with none alive', async () => {
    const decision = elect('unclean', [{ topic: 't', partitions: [0, 3, 4] }]);
    expect(await codes(decision)).toEqual([
      [
        't',
        [
          [0, ErrorCode.ELECTION_NOT_NEEDED],
          [3, ErrorCode.NONE],
          [4, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE],
        ],
      ],
    ]);
    expect(recordsOf((await decision).changes)).toEqual([partitionRecord(3, { replicas: [3, 2], isr: [2], leader: 2, leaderEpoch: 2, partitionEpoch: 2 })]);
  });

  it('allPartitionsLeaveOutElectionNotNeeded: topicPartitions null elects everywhere and reports only what needed an election', async () => {
    expect(await codes(elect('preferred', null))).toEqual([
      [
        't',
        [
          [1, ErrorCode.NONE],
          [2, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
          [3, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
          [4, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
        ],
      ],
    ]);
  });
});
