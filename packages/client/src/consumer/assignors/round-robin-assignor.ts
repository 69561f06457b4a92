import { type Assignor, type MemberSubscription, type TopicPartition, compareMembers, compareStrings, emptyAssignment } from './assignor.js';

/**
 * Kafka's RoundRobinAssignor: every subscribed partition in topic-name then
 * partition order is dealt to the members in member order, round and round,
 * skipping a member not subscribed to the partition's topic.
 */
export class RoundRobinAssignor implements Assignor {
  readonly name = 'roundrobin';
  readonly rebalanceProtocol = 'eager';

  assign(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): Map<string, TopicPartition[]> {
    const assignment = emptyAssignment(members);
    const sorted = [...members].sort(compareMembers);
    const topics = [...new Set(members.flatMap((member) => member.topics))].filter((topic) => partitionsPerTopic.has(topic)).sort(compareStrings);
    let next = 0;
    for (const topic of topics) {
      for (let partition = 0; partition < partitionsPerTopic.get(topic)!; partition++) {
        // Some member subscribes to the topic (it came from a subscription), so this stops within one round.
        while (!sorted[next]!.topics.includes(topic)) next = (next + 1) % sorted.length;
        assignment.get(sorted[next]!.memberId)!.push({ topic, partition });
        next = (next + 1) % sorted.length;
      }
    }
    return assignment;
  }
}
