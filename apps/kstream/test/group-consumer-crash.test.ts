// A group member killed without leaving (SIGKILL of a kafkajs consumer in a
// child process) on a real 3-broker node (issue 11): the coordinator keeps
// its partitions until its session times out, then the survivor takes them
// and resumes each from the victim's last commit — no record skipped, and
// the only records seen twice are those the victim processed after it.
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/cluster.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { ChildMember } from './group-child-member.test-support.js';
import { GroupMember, MEMBER_TIMINGS } from './group-member.test-support.js';
import type { Delivery } from './group-member.test-support.js';
import { committedOffsets, deliveryFaults, GROUP_CONFIGS, stableAndShared, streamUntilStopped, waitForCommittedToEnd, waitForGroup } from './groups.test-support.js';

const PARTITIONS = 4;

describe('a group member crashes', () => {
  let node: CompatCluster;
  let admin: Admin;
  const children: ChildMember[] = [];

  beforeAll(async () => {
    node = await CompatCluster.start('group-consumer-crash', GROUP_CONFIGS);
    admin = await node.admin();
  });

  afterAll(async () => {
    await Promise.all(children.map((c) => c.kill()));
    await node?.stop();
  });

  it('killedMemberPartitionsMoveAfterSessionTimeout: the survivor resumes them from the last commit, no record skipped', async () => {
    const topic = topicName('crash');
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
    const groupId = topicName('crash-group');
    const victim = ChildMember.start(node.bootstrap, 'victim', groupId, topic);
    children.push(victim);
    const survivor = await GroupMember.start(node, 'survivor', groupId, topic);
    const view = await waitForGroup(admin, groupId, topic, '2 members Stable sharing the partitions', (v) => stableAndShared(v, 2, PARTITIONS));
    const victimPartitions = view.members.find((m) => m.memberId !== survivor.memberId)?.partitions ?? [];
    expect(victimPartitions.length, `the victim owns partitions (${victim.stderr})`).toBeGreaterThan(0);

    const stream = streamUntilStopped(await node.producer(), topic, PARTITIONS);
    let killedAt = 0;
    let committedAtKill = new Map<number, bigint>();
    try {
      await waitFor('the victim to process and commit 15 records of each of its partitions', () => victimPartitions.every((p) => (victim.committed.get(p) ?? 0n) >= 15n), 20_000);
      await victim.kill();
      killedAt = Date.now();
      // A commit the victim sent just before dying may still be appending; its partitions cannot move before its session times out.
      await new Promise((resolve) => setTimeout(resolve, 500));
      committedAtKill = await committedOffsets(admin, groupId, topic);
      const during = await waitForGroup(admin, groupId, topic, 'the survivor alone, owning every partition', (v) => stableAndShared(v, 1, PARTITIONS), 20_000);
      expect(during.members.map((m) => m.memberId)).toEqual([survivor.memberId]);
      expect(Date.now() - killedAt, 'the partitions moved no sooner than the session timeout allows').toBeGreaterThanOrEqual(MEMBER_TIMINGS.sessionTimeout - 1_000);
      await waitFor('records of the victim partitions processed by the survivor', () => victimPartitions.every((p) => survivor.deliveries.some((d) => d.partition === p)), 20_000);
    } finally {
      await stream.stop();
    }
    await waitForCommittedToEnd(admin, groupId, topic);

    expect(stream.errors, 'sends that failed').toEqual([]);
    const all = [...victim.deliveries, ...survivor.deliveries];
    expect(deliveryFaults(stream.acknowledged, all).missing, 'records never processed').toEqual([]);
    for (const p of victimPartitions) {
      const resumedAt = committedAtKill.get(p) ?? 0n;
      const takenOver = survivor.deliveries.filter((d) => d.partition === p);
      expect(takenOver[0]?.offset, `partition ${p}: the survivor's first offset is the victim's last commit`).toBe(resumedAt);
      expect(offsets(takenOver), `partition ${p}: read on from there without a gap`).toEqual(offsets(takenOver).map((_, i) => resumedAt + BigInt(i)));
      const victimAfterCommit = victim.deliveries.filter((d) => d.partition === p && d.offset >= resumedAt);
      const twice = takenOver.filter((d) => victim.deliveries.some((v) => v.partition === p && v.offset === d.offset));
      expect(offsets(twice), `partition ${p}: seen twice = what the victim processed after its last commit`).toEqual(offsets(victimAfterCommit));
    }
    const survivorOwn = survivor.deliveries.filter((d) => !victimPartitions.includes(d.partition));
    expect(
      deliveryFaults(
        survivorOwn.map((d) => d.value),
        survivorOwn,
      ).duplicated,
      "the survivor's own partitions: nothing twice",
    ).toEqual([]);
    expect(survivor.crashes, 'survivor crashes').toEqual([]);
  }, 60_000);
});

function offsets(deliveries: readonly Delivery[]): bigint[] {
  return deliveries.map((d) => d.offset);
}
