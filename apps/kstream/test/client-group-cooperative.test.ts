// @kstream/client consumers with the cooperative-sticky assignor on a real
// 3-broker node, records produced all along: a member joins and another
// leaves, and through both rebalances the members that stay keep the
// partitions they do not give up (never revoked, so they flow on), a moving
// partition is owned by one member at a time, every acknowledged record is
// read, and the group's committed offsets end at the log end.
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/cluster.test-support.js';
import { GroupLog, PollingMember } from './client-group-members.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { GROUP_CONFIGS, stableAndShared, streamUntilStopped, waitForCommittedToEnd, waitForGroup } from './groups.test-support.js';

const PARTITIONS = 6;

describe('@kstream/client cooperative-sticky group under load', () => {
  let node: CompatCluster;
  let admin: Admin;
  const members: PollingMember[] = [];

  beforeAll(async () => {
    node = await CompatCluster.start('client-group-cooperative', GROUP_CONFIGS);
    admin = await node.admin();
  });

  afterAll(async () => {
    await Promise.allSettled(members.map((m) => m.stop()));
    await node?.stop();
  });

  it('oneJoinsOneLeavesWhileRecordsFlow: kept partitions never revoked, one owner at a time, every record read and committed', async () => {
    const topic = topicName('client-cooperative');
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
    const groupId = topicName('client-cooperative-group');
    const log = new GroupLog();
    const start = (name: string) => {
      const m = new PollingMember(node, name, topic, log, { groupId, assignors: ['cooperative-sticky'] });
      members.push(m);
      return m;
    };
    const shares = (names: readonly string[], counts: string) => {
      const owned = log.assignments();
      const all = names.flatMap((n) => owned.get(n) ?? []);
      return (
        new Set(all).size === PARTITIONS &&
        all.length === PARTITIONS &&
        names
          .map((n) => (owned.get(n) ?? []).length)
          .sort()
          .join() === counts
      );
    };
    const revocationsSince = (mark: number, name: string) => log.ownership.slice(mark).filter((e) => e.member === name && e.kind !== 'assigned');

    const stream = streamUntilStopped(await node.producer({ allowAutoTopicCreation: false }), topic, PARTITIONS);
    try {
      start('a');
      const b = start('b');
      await waitFor('a and b to own 3 partitions each', () => shares(['a', 'b'], '3,3'), 20_000);
      const view = await waitForGroup(admin, groupId, topic, '2 members Stable', (v) => stableAndShared(v, 2, PARTITIONS));
      expect(view.protocol).toBe('cooperative-sticky');

      let mark = log.ownership.length;
      start('c');
      await waitFor('c to join: 2 partitions each', () => shares(['a', 'b', 'c'], '2,2,2'), 20_000);
      expect(revocationsSince(mark, 'a'), 'a gives up one partition and keeps two').toHaveLength(1);
      expect(revocationsSince(mark, 'b'), 'b gives up one partition and keeps two').toHaveLength(1);

      mark = log.ownership.length;
      await b.stop();
      await waitFor('b to leave: 3 partitions each for a and c', () => shares(['a', 'c'], '3,3'), 20_000);
      expect(revocationsSince(mark, 'a'), "a keeps its partitions when it takes b's").toEqual([]);
      expect(revocationsSince(mark, 'c'), "c keeps its partitions when it takes b's").toEqual([]);
      await waitFor('records produced after the rebalances to be read', () => log.reads.length > stream.acknowledged.length / 2, 20_000);
    } finally {
      await stream.stop();
    }
    expect(stream.errors).toEqual([]);
    await waitForCommittedToEnd(admin, groupId, topic, 30_000);

    expect(log.overlaps(), 'a partition owned by two members at once').toEqual([]);
    expect(log.readsWithoutOwnership(), 'a record read by a member not owning its partition').toEqual([]);
    const { missing, duplicated } = log.deliveryFaults(stream.acknowledged);
    expect(missing, 'acknowledged records never read').toEqual([]);
    expect(duplicated, 'records read twice: every move commits the positions first').toEqual([]);
    expect(members.map((m) => m.error)).toEqual([null, null, null]);
  }, 60_000);
});
