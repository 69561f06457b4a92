import { type Assignor, type MemberSubscription, type TopicPartition, partitionKey } from './assignor.js';
import { stickyAssignment } from './sticky-assignment.js';

/**
 * Kafka's CooperativeStickyAssignor: the sticky, balanced target, except that
 * a partition some other member still claims is assigned to nobody in this
 * rebalance. Its owner sees it missing from its assignment, revokes it and
 * rejoins; the follow-up rebalance, with the claim gone, hands it to its new
 * member. Partitions that stay put are never revoked and keep flowing.
 */
export class CooperativeStickyAssignor implements Assignor {
  readonly name = 'cooperative-sticky';
  readonly rebalanceProtocol = 'cooperative';

  assign(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): Map<string, TopicPartition[]> {
    const claimants = new Map<string, Set<string>>();
    for (const member of members) {
      for (const partition of member.ownedPartitions) {
        const key = partitionKey(partition);
        const set = claimants.get(key) ?? new Set<string>();
        set.add(member.memberId);
        claimants.set(key, set);
      }
    }
    const target = stickyAssignment(members, partitionsPerTopic);
    for (const [memberId, partitions] of target) {
      target.set(
        memberId,
        partitions.filter((partition) => [...(claimants.get(partitionKey(partition)) ?? [])].every((claimant) => claimant === memberId)),
      );
    }
    return target;
  }
}
