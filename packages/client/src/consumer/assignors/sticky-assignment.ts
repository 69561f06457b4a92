import { type MemberSubscription, type TopicPartition, compareStrings, partitionKey } from './assignor.js';

/**
 * The balanced assignment that moves the fewest owned partitions (the target
 * of Kafka's AbstractStickyAssignor), before any cooperative holding back.
 *
 * Ownership a member claims counts only if it is from the newest generation
 * any member reports (an older claim was lost since), is of a topic the
 * member subscribes to and that exists, and no other member of that
 * generation claims the same partition. Each member keeps its valid owned
 * partitions; the rest go to the least loaded eligible member; then, while a
 * member has two more than an eligible member, it hands one over — a
 * partition it did not own before if it has one — so the result is balanced
 * within one where subscriptions allow and keeps as much ownership as the
 * balance allows.
 */
export function stickyAssignment(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): Map<string, TopicPartition[]> {
  const order = [...members].sort((a, b) => compareStrings(a.memberId, b.memberId));
  const subscribers = new Map<string, MemberSubscription[]>();
  for (const member of order) {
    for (const topic of new Set(member.topics)) {
      if (!partitionsPerTopic.has(topic)) continue;
      const list = subscribers.get(topic) ?? [];
      list.push(member);
      subscribers.set(topic, list);
    }
  }

  const owned = validOwnership(order, partitionsPerTopic);
  const holdings = new Map<string, Holding>(order.map((member) => [member.memberId, { member, owned: [], given: [] }]));
  const unassigned: TopicPartition[] = [];
  for (const topic of [...subscribers.keys()].sort(compareStrings)) {
    for (let partition = 0; partition < partitionsPerTopic.get(topic)!; partition++) {
      const owner = owned.get(partitionKey({ topic, partition }));
      if (owner !== undefined) holdings.get(owner)!.owned.push({ topic, partition });
      else unassigned.push({ topic, partition });
    }
  }

  for (const partition of unassigned) {
    leastLoaded(subscribers.get(partition.topic)!, holdings).given.push(partition);
  }
  balance(order, subscribers, holdings);

  const assignment = new Map<string, TopicPartition[]>();
  for (const [memberId, holding] of holdings) {
    assignment.set(memberId, [...holding.owned, ...holding.given].sort(comparePartitions));
  }
  return assignment;
}

interface Holding {
  member: MemberSubscription;
  /** Partitions the member owned before and keeps so far. */
  owned: TopicPartition[];
  /** Partitions new to the member; handed over first when it has too many. */
  given: TopicPartition[];
}

function count(holding: Holding): number {
  return holding.owned.length + holding.given.length;
}

/** Partition key -> the member whose claim to it stands. */
function validOwnership(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): Map<string, string> {
  const newestGeneration = Math.max(-1, ...members.map((member) => member.generationId));
  const owners = new Map<string, string>();
  const disputed = new Set<string>();
  for (const member of members) {
    if (member.generationId !== newestGeneration) continue;
    for (const partition of member.ownedPartitions) {
      const partitionCount = partitionsPerTopic.get(partition.topic);
      if (partitionCount === undefined || partition.partition >= partitionCount || !member.topics.includes(partition.topic)) continue;
      const key = partitionKey(partition);
      const other = owners.get(key);
      if (other === undefined && !disputed.has(key)) owners.set(key, member.memberId);
      else if (other !== member.memberId) {
        owners.delete(key);
        disputed.add(key);
      }
    }
  }
  return owners;
}

function leastLoaded(candidates: readonly MemberSubscription[], holdings: ReadonlyMap<string, Holding>): Holding {
  let best = holdings.get(candidates[0]!.memberId)!;
  for (const candidate of candidates) {
    const holding = holdings.get(candidate.memberId)!;
    if (count(holding) < count(best)) best = holding;
  }
  return best;
}

/**
 * Moves one partition at a time from the most loaded member that has an
 * eligible member with at least two fewer, until there is no such pair.
 * Taking from the most loaded first is what keeps the most ownership: a
 * member shedding down to the small quota while another still holds more
 * than the large one would lose partitions it could have kept. Every move
 * lowers the sum of squared counts, so it ends.
 */
function balance(order: readonly MemberSubscription[], subscribers: ReadonlyMap<string, MemberSubscription[]>, holdings: ReadonlyMap<string, Holding>): void {
  while (moveOne(order, subscribers, holdings));
}

function moveOne(order: readonly MemberSubscription[], subscribers: ReadonlyMap<string, MemberSubscription[]>, holdings: ReadonlyMap<string, Holding>): boolean {
  const byCount = order.map((member) => holdings.get(member.memberId)!).sort((a, b) => count(b) - count(a));
  for (const from of byCount) {
    for (const list of [from.given, from.owned]) {
      for (let index = list.length - 1; index >= 0; index--) {
        const partition = list[index]!;
        const to = leastLoaded(subscribers.get(partition.topic)!, holdings);
        if (count(from) - count(to) < 2) continue;
        list.splice(index, 1);
        to.given.push(partition);
        return true;
      }
    }
  }
  return false;
}

function comparePartitions(a: TopicPartition, b: TopicPartition): number {
  return compareStrings(a.topic, b.topic) || a.partition - b.partition;
}
