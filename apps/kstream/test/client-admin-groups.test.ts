// @kstream/client's Admin on a consumer group a kafkajs consumer created, on
// a 3-broker node: listed (with the state filter), described (members and
// their decoded subscriptions and assignments), committed offsets, lag per
// partition, offset resets (dry run, earliest, a time, an offset kept within
// the log, one partition) refused while the group has members, and the
// group deleted — refused while it has members.
import type { Admin } from '@kstream/client';
import { KafkaGroupNotEmptyError } from '@kstream/client';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { batchFailure, clientAdmin } from './client-admin.test-support.js';
import { GroupMember } from './group-member.test-support.js';
import { GROUP_CONFIGS } from './groups.test-support.js';

const PARTITIONS = 3;
const RECORDS_PER_PARTITION = 10;

describe('@kstream/client Admin: consumer groups', () => {
  let node: CompatCluster;
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    node = await CompatCluster.start('client-admin-groups', GROUP_CONFIGS);
    admin = await clientAdmin(node);
    producer = await node.producer();
  });

  afterAll(async () => {
    await admin?.close();
    await node?.stop();
  });

  /** Polls `read` until `check` passes; fails naming `what` and the last value. */
  async function until<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (check(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  // One group goes through the steps in order: consumed by a kafkajs member, refused while the member lives, reset and deleted once it left.
  const topic = topicName('grouped');
  const groupId = topicName('group');
  const base = Date.now() - 60_000;
  let member: GroupMember;

  it('describedWhileAMemberConsumes: listed by state, its member with decoded subscription and assignment, committed offsets, no lag', async () => {
    await admin.createTopics([{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }]);
    // Partition p holds records at base, base + 1 s, ... base + 9 s.
    await producer.send({
      topic,
      messages: Array.from({ length: PARTITIONS * RECORDS_PER_PARTITION }, (_, i) => ({
        partition: i % PARTITIONS,
        value: `record ${i}`,
        timestamp: String(base + Math.floor(i / PARTITIONS) * 1000),
      })),
    });

    member = await GroupMember.start(node, 'member', groupId, topic);
    const committedToEnd = (offsets: readonly { offset: bigint | null }[]) => offsets.length === PARTITIONS && offsets.every((o) => o.offset === BigInt(RECORDS_PER_PARTITION));
    const committed = await until('every partition committed to its end', () => admin.fetchCommittedOffsets(groupId), committedToEnd);
    expect(committed.map((c) => [c.topic, c.partition]).sort()).toEqual([0, 1, 2].map((p) => [topic, p]));

    const [described] = await until(
      'the group Stable',
      () => admin.describeGroups([groupId]),
      ([g]) => g?.state === 'Stable',
    );
    expect(described).toMatchObject({ groupId, protocolType: 'consumer', protocol: 'RoundRobinAssigner' });
    expect(described!.members).toHaveLength(1);
    const [only] = described!.members;
    expect(only).toMatchObject({ memberId: member.memberId, clientId: 'kstream-compat', groupInstanceId: null });
    expect(only!.clientHost).toContain('127.0.0.1');
    expect(only!.subscription?.topics).toEqual([topic]);
    expect([...only!.assignment!].sort((a, b) => a.partition - b.partition)).toEqual([0, 1, 2].map((partition) => ({ topic, partition })));

    const listed = await admin.listGroups();
    expect(listed.filter((g) => g.groupId === groupId)).toEqual([{ groupId, protocolType: 'consumer', state: 'Stable', coordinator: described!.coordinator }]);
    expect((await admin.listGroups({ states: ['Empty'] })).map((g) => g.groupId)).not.toContain(groupId);
    expect((await admin.listGroups({ states: ['Stable'] })).map((g) => g.groupId)).toContain(groupId);

    const live = await admin.groupLag(groupId);
    expect(live.partitions.map((p) => [p.partition, p.committedOffset, p.logEndOffset, p.lag, p.memberId])).toEqual([0, 1, 2].map((p) => [p, 10n, 10n, 0n, member.memberId]));
  }, 30_000);

  it('refusedWhileItHasMembers: deleteGroups is NON_EMPTY_GROUP, resetGroupOffsets (even a dry run) KafkaGroupNotEmptyError', async () => {
    expect((await batchFailure(admin.deleteGroups([groupId]))).failed).toEqual([[`group ${groupId}`, 'NON_EMPTY_GROUP']]);
    const refused = admin.resetGroupOffsets(groupId, { to: 'earliest', dryRun: true });
    await expect(refused).rejects.toBeInstanceOf(KafkaGroupNotEmptyError);
    await expect(refused).rejects.toThrow(/Stable with 1 member/);
    expect((await admin.fetchCommittedOffsets(groupId)).map((c) => c.offset)).toEqual([10n, 10n, 10n]);
  });

  it('laggedAndResetOnceEmpty: lag counts records past the commits; dry run, a time, one partition, an offset kept within the log, earliest', async () => {
    await member.stop();
    await until(
      'the group Empty',
      () => admin.describeGroups([groupId]),
      ([g]) => g?.state === 'Empty',
    );
    expect((await admin.listGroups({ states: ['Empty'] })).map((g) => g.groupId)).toContain(groupId);
    await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: `late ${i}`, timestamp: String(base + 30_000) })) });
    const behind = await admin.groupLag(groupId);
    expect(behind.state).toBe('Empty');
    expect(behind.partitions.map((p) => [p.partition, p.lag, p.memberId])).toEqual([
      [0, 5n, null],
      [1, 0n, null],
      [2, 0n, null],
    ]);
    expect(behind.totalLag).toBe(5n);

    const plan = await admin.resetGroupOffsets(groupId, { to: 'earliest', dryRun: true });
    expect(plan.map((r) => [r.partition, r.currentOffset, r.newOffset])).toEqual([
      [0, 10n, 0n],
      [1, 10n, 0n],
      [2, 10n, 0n],
    ]);
    const offsetsNow = async () => (await admin.fetchCommittedOffsets(groupId)).sort((a, b) => a.partition - b.partition).map((c) => c.offset);
    expect(await offsetsNow(), 'a dry run commits nothing').toEqual([10n, 10n, 10n]);

    await admin.resetGroupOffsets(groupId, { to: { timestamp: base + 4500 } });
    expect(await offsetsNow(), 'the first record at or after the time').toEqual([5n, 5n, 5n]);
    await admin.resetGroupOffsets(groupId, { topics: [{ topic, partition: 1 }], to: { offset: 3n } });
    expect(await offsetsNow(), 'only the partition named').toEqual([5n, 3n, 5n]);
    const clamped = await admin.resetGroupOffsets(groupId, { topics: [topic], to: { offset: 999n } });
    expect(
      clamped.map((r) => r.newOffset),
      'an offset past the end resets to the end',
    ).toEqual([15n, 10n, 10n]);
    await admin.resetGroupOffsets(groupId, { to: 'earliest' });
    expect(await offsetsNow()).toEqual([0n, 0n, 0n]);
    expect((await admin.groupLag(groupId)).totalLag).toBe(35n);
  }, 30_000);

  it('deletedOnceEmpty: then Dead, without offsets, and GROUP_ID_NOT_FOUND a second time; __consumer_offsets listed only when asked', async () => {
    await admin.deleteGroups([groupId]);
    const [dead] = await admin.describeGroups([groupId]);
    expect(dead).toMatchObject({ groupId, state: 'Dead', members: [] });
    expect((await batchFailure(admin.deleteGroups([groupId]))).failed).toEqual([[`group ${groupId}`, 'GROUP_ID_NOT_FOUND']]);
    expect(await admin.fetchCommittedOffsets(groupId)).toEqual([]);

    expect(await admin.listTopics()).not.toContain('__consumer_offsets');
    expect(await admin.listTopics({ includeInternal: true })).toContain('__consumer_offsets');
  });
});
