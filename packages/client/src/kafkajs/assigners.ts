import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '@kstream/protocol';
import type { Assignor, MemberSubscription } from '../consumer/assignors/assignor.js';
import { CooperativeStickyAssignor } from '../consumer/assignors/cooperative-sticky-assignor.js';
import { RangeAssignor } from '../consumer/assignors/range-assignor.js';
import { RoundRobinAssignor } from '../consumer/assignors/round-robin-assignor.js';
import { KafkaJSNonRetriableError } from './errors.js';
import type { Logger } from './logger.js';
import type { Cluster } from './types-cluster.js';

export type Assignment = { [topic: string]: number[] };
export type GroupMember = { memberId: string; memberMetadata: Buffer };
export type GroupMemberAssignment = { memberId: string; memberAssignment: Buffer };
export type GroupState = { name: string; metadata: Buffer };

export type Assigner = {
  name: string;
  version: number;
  assign(group: { members: GroupMember[]; topics: string[] }): Promise<GroupMemberAssignment[]>;
  protocol(subscription: { topics: string[] }): GroupState;
};

export type PartitionAssigner = (config: { cluster: Cluster; groupId: string; logger: Logger }) => Assigner;

export interface ISerializer<T> {
  encode(value: T): Buffer;
  decode(buffer: Buffer): T | null;
}

export type MemberMetadata = { version: number; topics: string[]; userData: Buffer };
export type MemberAssignment = { version: number; assignment: Assignment; userData: Buffer };

/** kafkajs's codecs for the consumer protocol's subscription and assignment, on @kstream/protocol's. */
export const AssignerProtocol: { MemberMetadata: ISerializer<MemberMetadata>; MemberAssignment: ISerializer<MemberAssignment> } = {
  MemberMetadata: {
    encode: ({ version, topics, userData }) => encodeSubscription({ topics, userData: userData ?? Buffer.alloc(0), ownedPartitions: [], generationId: -1, rackId: null }, version),
    decode: (buffer) => {
      const subscription = decodeSubscription(buffer);
      return { version: subscription.version, topics: [...subscription.topics], userData: subscription.userData ?? Buffer.alloc(0) };
    },
  },
  MemberAssignment: {
    encode: ({ version, assignment, userData }) =>
      encodeAssignment({ assignedPartitions: Object.entries(assignment).map(([topic, partitions]) => ({ topic, partitions })), userData: userData ?? Buffer.alloc(0) }, version),
    decode: (buffer) => {
      if (buffer.length === 0) return null;
      const decoded = decodeAssignment(buffer);
      const assignment: Assignment = {};
      // defineProperty: '__proto__' is a legal topic name, and an assignment would set the prototype instead.
      for (const { topic, partitions } of decoded.assignedPartitions) {
        Object.defineProperty(assignment, topic, { value: [...partitions], enumerable: true, writable: true, configurable: true });
      }
      return { version: decoded.version, assignment, userData: decoded.userData ?? Buffer.alloc(0) };
    },
  },
};

// The consumer uses the client's own assignor for each of these; the
// kafkajs-shaped function is what a program passes around and can also
// be called as a kafkajs assigner.
const CLIENT_ASSIGNORS = new WeakMap<PartitionAssigner, () => Assignor>();

function partitionAssigner(name: string, createAssignor: () => Assignor): PartitionAssigner {
  const assigner: PartitionAssigner = ({ cluster }) => ({
    name,
    version: 0,
    protocol: ({ topics }) => ({ name, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) }),
    async assign({ members, topics }) {
      const subscriptions: MemberSubscription[] = members.map(({ memberId, memberMetadata }) => {
        const decoded = decodeSubscription(memberMetadata);
        return { memberId, groupInstanceId: null, topics: decoded.topics, ownedPartitions: [], generationId: -1, userData: decoded.userData };
      });
      const partitionsPerTopic = new Map(topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).length] as const));
      const assigned = createAssignor().assign(subscriptions, partitionsPerTopic);
      return [...assigned].map(([memberId, partitions]) => {
        const assignment: Assignment = {};
        for (const { topic, partition } of partitions) (assignment[topic] ??= []).push(partition);
        return { memberId, memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment, userData: Buffer.alloc(0) }) };
      });
    },
  });
  CLIENT_ASSIGNORS.set(assigner, createAssignor);
  return assigner;
}

/** kafkajs's round-robin under kafkajs's protocol name, so a group can mix kafkajs members and ours during a migration. */
function kafkajsRoundRobin(): Assignor {
  const roundRobin = new RoundRobinAssignor();
  return { name: 'RoundRobinAssigner', rebalanceProtocol: 'eager', assign: (members, partitions) => roundRobin.assign(members, partitions) };
}

/**
 * kafkajs's assigners, and Kafka's others. `roundRobin` is kafkajs's
 * (protocol 'RoundRobinAssigner', so kafkajs members and ours agree on it);
 * `range` and `cooperativeSticky` are Kafka's ('range',
 * 'cooperative-sticky'), which kafkajs does not have: cooperativeSticky
 * keeps unmoved partitions flowing through a rebalance.
 */
export const PartitionAssigners: { roundRobin: PartitionAssigner; range: PartitionAssigner; cooperativeSticky: PartitionAssigner } = {
  roundRobin: partitionAssigner('RoundRobinAssigner', kafkajsRoundRobin),
  range: partitionAssigner('range', () => new RangeAssignor()),
  cooperativeSticky: partitionAssigner('cooperative-sticky', () => new CooperativeStickyAssignor()),
};

/** The client's assignors for kafkajs's list; a custom kafkajs assigner is refused (it runs against kafkajs's cluster object). */
export function clientAssignorsFor(assigners: readonly PartitionAssigner[] | undefined): Assignor[] {
  const list = assigners ?? [PartitionAssigners.roundRobin];
  if (!Array.isArray(list) || list.length === 0) {
    throw new KafkaJSNonRetriableError('partitionAssigners must be a non-empty array of PartitionAssigners.roundRobin, .range or .cooperativeSticky');
  }
  return list.map((assigner) => {
    const createAssignor = CLIENT_ASSIGNORS.get(assigner);
    if (createAssignor === undefined) {
      throw new KafkaJSNonRetriableError(
        'Custom partition assigners are not supported by @kstream/client/kafkajs; allowed: PartitionAssigners.roundRobin, .range or .cooperativeSticky',
      );
    }
    return createAssignor();
  });
}
