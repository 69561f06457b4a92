import { type Assignor, type MemberSubscription, type TopicPartition, compareMembers, emptyAssignment } from './assignor.js';

/**
 * Kafka's RangeAssignor: topic by topic, the members subscribed to it in
 * member order each take a contiguous range of its partitions; the first
 * `partitions % members` take one extra. Co-partitioned topics land together.
 */
export class RangeAssignor implements Assignor {
  readonly name = 'range';
  readonly rebalanceProtocol = 'eager';

  assign(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): Map<string, TopicPartition[]> {
    const assignment = emptyAssignment(members);
    const sorted = [...members].sort(compareMembers);
    for (const [topic, partitionCount] of partitionsPerTopic) {
      const subscribers = sorted.filter((member) => member.topics.includes(topic));
      if (subscribers.length === 0) continue;
      const perMember = Math.floor(partitionCount / subscribers.length);
      const withExtra = partitionCount % subscribers.length;
      subscribers.forEach((member, index) => {
        const start = perMember * index + Math.min(index, withExtra);
        const length = perMember + (index < withExtra ? 1 : 0);
        const partitions = assignment.get(member.memberId)!;
        for (let partition = start; partition < start + length; partition++) partitions.push({ topic, partition });
      });
    }
    return assignment;
  }
}
