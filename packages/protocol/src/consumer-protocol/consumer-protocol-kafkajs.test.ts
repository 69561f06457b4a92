// Cross-checks the consumer protocol payloads with kafkajs's own encoder and
// decoder (AssignerProtocol), the bytes a kafkajs member puts in JoinGroup and
// a kafkajs leader puts in SyncGroup. kafkajs writes version 0 or 1 and only
// version 0's fields, and reads version 0's fields of any version.
import fc from 'fast-check';
import { AssignerProtocol } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { structArbitrary } from '../schema/schema-arbitrary.test-support.js';
import { type Subscription, decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './consumer-protocol-codec.js';
import { ConsumerProtocolSubscription } from './consumer-protocol-subscription.js';

const RUNS = { numRuns: 100 };

// kafkajs writes strings as UTF-8, so only well-formed text survives it unchanged.
const topicName = fc.string({ unit: 'grapheme', maxLength: 12 });
const userData = fc.uint8Array({ maxLength: 24 }).map((bytes) => Buffer.from(bytes));
const partitions = fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 4 });

// kafkajs keys an assignment by topic in a plain object: topics are unique, and
// a prefix keeps integer-like names from being reordered by the object.
const assignedPartitions = fc
  .uniqueArray(
    fc.tuple(
      topicName.map((name) => `topic-${name}`),
      partitions,
    ),
    { selector: ([topic]) => topic, maxLength: 3 },
  )
  .map((entries) => entries.map(([topic, p]) => ({ topic, partitions: p })));

describe('kafkajs AssignerProtocol interoperability', () => {
  it('decodesKafkajsSubscriptions', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1), fc.array(topicName, { maxLength: 4 }), userData, (version, topics, data) => {
        const bytes = AssignerProtocol.MemberMetadata.encode({ version, topics, userData: data });
        expect(decodeSubscription(bytes)).toEqual({ version, topics, userData: data, ownedPartitions: [], generationId: -1, rackId: null });
      }),
      RUNS,
    );
  });

  it('kafkajsDecodesOurSubscriptionsOfEveryVersion', () => {
    const subscription = fc
      .integer({ min: 0, max: 3 })
      .chain((version) => structArbitrary(ConsumerProtocolSubscription.fields, version).map((message) => ({ version, message: message as Subscription })));
    fc.assert(
      fc.property(subscription, ({ version, message }) => {
        const decoded = AssignerProtocol.MemberMetadata.decode(encodeSubscription(message, version));
        expect(decoded).toEqual({ version, topics: message.topics, userData: message.userData });
      }),
      RUNS,
    );
  });

  it('decodesKafkajsAssignments', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1), assignedPartitions, userData, (version, assigned, data) => {
        const assignment = Object.fromEntries(assigned.map(({ topic, partitions: p }) => [topic, p]));
        const bytes = AssignerProtocol.MemberAssignment.encode({ version, assignment, userData: data });
        expect(decodeAssignment(bytes)).toEqual({ version, assignedPartitions: assigned, userData: data });
      }),
      RUNS,
    );
  });

  it('kafkajsDecodesOurAssignmentsOfEveryVersion', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), assignedPartitions, fc.option(userData, { nil: null }), (version, assigned, data) => {
        const decoded = AssignerProtocol.MemberAssignment.decode(encodeAssignment({ assignedPartitions: assigned, userData: data }, version));
        const assignment = Object.fromEntries(assigned.map(({ topic, partitions: p }) => [topic, p]));
        expect(decoded).toEqual({ version, assignment, userData: data });
      }),
      RUNS,
    );
  });
});
