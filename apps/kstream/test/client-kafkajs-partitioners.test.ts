// @kstream/client/kafkajs's partitioners and assigner protocol against
// kafkajs 2.2.4's own, for random keys and payloads: the same partition for
// every key (DefaultPartitioner = Java's murmur2, LegacyPartitioner =
// kafkajs 1.x's float murmur2) and bytes each side decodes as the other wrote.
import * as ours from '@kstream/client/kafkajs';
import fc from 'fast-check';
import * as kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';

process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';

function partitionMetadata(count: number, withoutLeader: ReadonlySet<number> = new Set()): ours.PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: withoutLeader.has(partitionId) ? -1 : 1,
    replicas: [1],
    isr: [1],
  }));
}

const key = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

describe('kafkajs partitioners', () => {
  for (const name of ['DefaultPartitioner', 'LegacyPartitioner', 'JavaCompatiblePartitioner'] as const) {
    it(`${name}: a keyed message lands where kafkajs puts it, for any key and partition count`, () => {
      const mine = ours.Partitioners[name]();
      const theirs = kafkajs.Partitioners[name]();
      fc.assert(
        fc.property(key, fc.integer({ min: 1, max: 200 }), (k, count) => {
          const args = { topic: 't', partitionMetadata: partitionMetadata(count), message: { key: k, value: null } };
          expect(mine(args)).toBe(theirs(args));
        }),
        { numRuns: 2_000 },
      );
    });
  }

  it('LegacyPartitioner differs from DefaultPartitioner for most keys: the legacy hash is not Java murmur2', () => {
    const legacy = ours.Partitioners.LegacyPartitioner();
    const java = ours.Partitioners.DefaultPartitioner();
    const keys = Array.from({ length: 100 }, (_, i) => `key-${i}`);
    const moved = keys.filter((k) => {
      const args = { topic: 't', partitionMetadata: partitionMetadata(64), message: { key: k, value: null } };
      return legacy(args) !== java(args);
    });
    expect(moved.length).toBeGreaterThan(50);
  });

  it('unkeyedMessagesGoRoundRobinOverPartitionsWithALeader, as kafkajs', () => {
    const partitioner = ours.Partitioners.DefaultPartitioner();
    const metadata = partitionMetadata(4, new Set([1]));
    const chosen = Array.from({ length: 9 }, () => partitioner({ topic: 't', partitionMetadata: metadata, message: { value: 'v' } }));
    expect(new Set(chosen)).toEqual(new Set([0, 2, 3]));
    expect(chosen.slice(0, 3).sort()).toEqual(chosen.slice(3, 6).sort());
  });

  it('anExplicitPartitionWins', () => {
    const partitioner = ours.Partitioners.DefaultPartitioner();
    expect(partitioner({ topic: 't', partitionMetadata: partitionMetadata(4), message: { key: 'k', value: 'v', partition: 3 } })).toBe(3);
  });
});

describe('kafkajs exports', () => {
  it('everyNameKafkajsExportsIsExported, each error class under kafkajs name', () => {
    // 'default' is the CommonJS module object as ESM sees it, and Node 23+ names it 'module.exports' too;
    // our entry is ESM and has named exports only.
    const missing = Object.keys(kafkajs).filter((name) => name !== 'default' && name !== 'module.exports' && !(name in ours));
    expect(missing).toEqual([]);
    for (const name of Object.keys(kafkajs).filter((n) => n.startsWith('KafkaJS') && n !== 'KafkaJSFetcherRebalanceError')) {
      const Theirs = (kafkajs as unknown as Record<string, new (...args: unknown[]) => Error>)[name]!;
      const Ours = (ours as unknown as Record<string, new (...args: unknown[]) => Error>)[name]!;
      const args = name === 'KafkaJSDeleteTopicRecordsError' ? [{ topic: 't', partitions: [] }] : ['message', { topic: 't', partition: 0, retryCount: 0, retryTime: 0 }];
      expect(new Ours(...args).name, name).toBe(new Theirs(...args).name);
      expect(new Ours(...args) instanceof ours.KafkaJSError, name).toBe(new Theirs(...args) instanceof kafkajs.KafkaJSError);
    }
  });
});

describe('kafkajs AssignerProtocol', () => {
  const topics = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 5 });

  it('memberMetadataBothWays: what one side encodes the other decodes', () => {
    fc.assert(
      fc.property(topics, fc.uint8Array({ maxLength: 16 }), (names, userData) => {
        const metadata = { version: 0, topics: names, userData: Buffer.from(userData) };
        expect(kafkajs.AssignerProtocol.MemberMetadata.decode(ours.AssignerProtocol.MemberMetadata.encode(metadata))).toEqual(metadata);
        expect(ours.AssignerProtocol.MemberMetadata.decode(kafkajs.AssignerProtocol.MemberMetadata.encode(metadata))).toEqual(metadata);
      }),
    );
  });

  it('memberAssignmentBothWays', () => {
    // Kafka's legal topic names, but '__proto__': kafkajs's decoder assigns it as a key, which sets the object's prototype.
    const topicName = fc.stringMatching(/^[a-zA-Z0-9._-]{1,20}$/).filter((name) => name !== '__proto__');
    const assignment = fc.dictionary(topicName, fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { maxLength: 8 }), {
      noNullPrototype: true,
    });
    fc.assert(
      fc.property(assignment, (byTopic) => {
        const value = { version: 0, assignment: byTopic, userData: Buffer.alloc(0) };
        expect(kafkajs.AssignerProtocol.MemberAssignment.decode(ours.AssignerProtocol.MemberAssignment.encode(value))).toEqual(value);
        expect(ours.AssignerProtocol.MemberAssignment.decode(kafkajs.AssignerProtocol.MemberAssignment.encode(value))).toEqual(value);
      }),
    );
  });

  it('anAssignmentOfATopicNamedProtoDecodesAsItsOwnKey', () => {
    const assignment = Object.defineProperty({}, '__proto__', { value: [3, 1], enumerable: true, writable: true, configurable: true });
    const decoded = ours.AssignerProtocol.MemberAssignment.decode(ours.AssignerProtocol.MemberAssignment.encode({ version: 0, assignment, userData: Buffer.alloc(0) }));
    expect(Object.getOwnPropertyDescriptor(decoded!.assignment, '__proto__')?.value).toEqual([3, 1]);
    expect(Object.getPrototypeOf(decoded!.assignment)).toBe(Object.prototype);
  });

  it('roundRobinProtocolIsKafkajsOwn: the protocol name kafkajs members join with, so a group can mix both during a migration', () => {
    const assigner = ours.PartitionAssigners.roundRobin({ cluster: {} as ours.Cluster, groupId: 'g', logger: {} as ours.Logger });
    const theirs = kafkajs.PartitionAssigners.roundRobin({ cluster: {} as kafkajs.Cluster, groupId: 'g', logger: {} as kafkajs.Logger });
    expect(assigner.protocol({ topics: ['a', 'b'] })).toEqual(theirs.protocol({ topics: ['a', 'b'] }));
  });
});
