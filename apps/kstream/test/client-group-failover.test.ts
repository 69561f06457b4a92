// The group coordinator's broker crashes under @kstream/client consumers on
// a real 3-broker node (__consumer_offsets and the topic at RF 3): the
// members find the new coordinator and carry on, every offset committed
// before the crash is still committed after it, and no record below the log
// end goes unread.
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/cluster.test-support.js';
import { GroupLog, PollingMember } from './client-group-members.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { FAST_FAILOVER, REPLICATED } from './failover.test-support.js';
import {
  committedOffsets,
  endOffsets,
  findCoordinator,
  GROUP_CONFIGS,
  pastACrash,
  stableAndShared,
  streamUntilStopped,
  waitForCommittedToEnd,
  waitForCoordinator,
  waitForGroup,
  waitForServing,
} from './groups.test-support.js';

const ASSIGNMENT = [
  { partition: 0, replicas: [1, 2, 3] },
  { partition: 1, replicas: [2, 3, 1] },
  { partition: 2, replicas: [3, 1, 2] },
];
const PARTITIONS = ASSIGNMENT.length;
/** The crashed broker stays down 3 s: the group is served by the new coordinator meanwhile. */
const DOWN_MS = 3_000;

describe('@kstream/client consumers when the group coordinator crashes', () => {
  let node: CompatCluster;
  let admin: Admin;
  const members: PollingMember[] = [];

  beforeAll(async () => {
    node = await CompatCluster.start(
      'client-group-failover',
      { ...REPLICATED, ...GROUP_CONFIGS, 'offsets.topic.replication.factor': '3' },
      { ...FAST_FAILOVER, restartPolicy: { initialDelayMs: DOWN_MS, maxDelayMs: DOWN_MS, resetAfterMs: 60_000 } },
    );
    admin = await node.admin();
  });

  afterAll(async () => {
    await Promise.allSettled(members.map((m) => m.stop()));
    await node?.stop();
  });

  it('membersCarryOnWithTheNewCoordinator: commits survive, nothing skipped', async () => {
    const topic = topicName('client-coordinator-crash');
    await admin.createTopics({ topics: [{ topic, replicaAssignment: ASSIGNMENT }], waitForLeaders: true });
    const groupId = topicName('client-coordinator-crash-group');
    const log = new GroupLog();
    for (const name of ['a', 'b']) members.push(new PollingMember(node, name, topic, log, { groupId, requestTimeoutMs: 3_000 }));
    await waitForGroup(admin, groupId, topic, '2 members Stable sharing the partitions', (v) => stableAndShared(v, 2, PARTITIONS));
    const coordinator = await findCoordinator(node, groupId);

    const stream = streamUntilStopped(await node.producer({ allowAutoTopicCreation: false }), topic, PARTITIONS);
    try {
      let before = new Map<number, bigint>();
      await waitFor(
        'every partition committed before the crash',
        async () => {
          before = await committedOffsets(admin, groupId, topic);
          return before.size === PARTITIONS && [...before.values()].every((o) => o > 0n);
        },
        20_000,
      );
      await node.cluster.control.crashBroker(coordinator);
      const readsAtCrash = log.reads.length;

      const next = await waitForCoordinator(node, groupId, `another broker than ${coordinator}`, (b) => b !== coordinator, coordinator === 1 ? 2 : 1);
      await waitForServing(node, next, groupId);
      const after = await pastACrash(() => committedOffsets(admin, groupId, topic));
      for (const [partition, offset] of before) {
        expect(after.get(partition), `partition ${partition}: committed before broker ${coordinator} crashed, read from broker ${next}`).toBeGreaterThanOrEqual(offset);
      }
      await waitFor(`the members to read on after broker ${coordinator} crashed`, () => log.reads.length > readsAtCrash + 50 * PARTITIONS, 20_000);
      await waitFor(
        `the members to commit on broker ${next}`,
        async () => [...(await pastACrash(() => committedOffsets(admin, groupId, topic)))].some(([p, o]) => o > (after.get(p) ?? -1n)),
        20_000,
      );
    } finally {
      await stream.stop();
    }
    await pastACrash(() => waitForCommittedToEnd(admin, groupId, topic, 30_000));

    expect(log.deliveryFaults(stream.acknowledged).missing, 'acknowledged records never read').toEqual([]);
    for (const [partition, end] of await pastACrash(() => endOffsets(admin, topic))) {
      const seen = new Set(log.reads.filter((r) => r.partition === partition).map((r) => r.offset));
      const skipped = Array.from({ length: Number(end) }, (_, o) => BigInt(o)).filter((o) => !seen.has(o));
      expect(skipped, `partition ${partition}: offsets below its end offset ${end} never read`).toEqual([]);
    }
    expect(log.overlaps()).toEqual([]);
    expect(members.map((m) => m.error)).toEqual([null, null]);
  }, 60_000);
});
