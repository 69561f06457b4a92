// @kstream/client consumers and kafkajs 2.2.4 consumers in one group on a
// real 3-broker node, both offering Kafka's 'roundrobin' (kafkajs's own
// round-robin assigner under Kafka's protocol name): whichever member leads
// assigns for all, each reads the other's subscription and assignment, the
// partitions are shared, and every record is read once as members leave.
import { PartitionAssigners, type Admin, type PartitionAssigner, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/cluster.test-support.js';
import { GroupLog, PollingMember } from './client-group-members.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { GROUP_CONFIGS, numberedMessages, partitionCounts, stableAndShared, waitForCommittedToEnd, waitForGroup } from './groups.test-support.js';

const PARTITIONS = 6;

/** kafkajs's round-robin assigner, offered under Kafka's protocol name 'roundrobin' (kafkajs calls it 'RoundRobinAssigner'). */
const kafkaRoundRobin: PartitionAssigner = (config) => ({ ...PartitionAssigners.roundRobin(config), name: 'roundrobin' });

describe('@kstream/client and kafkajs consumers in one group', () => {
  let node: CompatCluster;
  let admin: Admin;
  let producer: Producer;
  const members: PollingMember[] = [];

  beforeAll(async () => {
    node = await CompatCluster.start('client-group-kafkajs', GROUP_CONFIGS);
    admin = await node.admin();
    producer = await node.producer();
  });

  afterAll(async () => {
    await Promise.allSettled(members.map((m) => m.stop()));
    await node?.stop();
  });

  it('mixedMembersShareThePartitionsWithRoundRobin: 2-2-2, then 3-3 as our leader leaves, each record read once', async () => {
    const topic = topicName('client-mixed');
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
    const groupId = topicName('client-mixed-group');
    const log = new GroupLog();
    const first = numberedMessages('first', 60, PARTITIONS);
    await producer.send({ topic, messages: first });

    const ours = (name: string) => {
      const m = new PollingMember(node, name, topic, log, { groupId, assignors: ['roundrobin'] });
      members.push(m);
      return m;
    };
    const a = ours('a');
    await waitFor('a to own every partition', () => a.partitions().length === PARTITIONS, 20_000);
    const kafkajs = await node.consumer({ groupId, partitionAssigners: [kafkaRoundRobin], sessionTimeout: 6_000, heartbeatInterval: 300 });
    await kafkajs.subscribe({ topic, fromBeginning: true });
    await kafkajs.run({
      eachMessage: async ({ partition, message }) => log.read('kafkajs', partition, BigInt(message.offset), message.value?.toString() ?? ''),
    });
    ours('b');

    const view = await waitForGroup(
      admin,
      groupId,
      topic,
      '3 members Stable, 2 partitions each',
      (v) => stableAndShared(v, 3, PARTITIONS) && partitionCounts(v).join() === '2,2,2',
    );
    expect(view.protocol).toBe('roundrobin');
    expect(view.members.map((m) => m.clientId).sort()).toEqual(['client-group-a', 'client-group-b', 'kstream-compat']);

    await a.stop();
    await waitForGroup(admin, groupId, topic, 'b and kafkajs sharing after a left', (v) => stableAndShared(v, 2, PARTITIONS) && partitionCounts(v).join() === '3,3');
    const second = numberedMessages('second', 60, PARTITIONS);
    await producer.send({ topic, messages: second });
    await waitForCommittedToEnd(admin, groupId, topic);

    expect(log.deliveryFaults([...first, ...second].map((m) => m.value))).toEqual({ missing: [], duplicated: [] });
    expect(new Set(log.reads.map((r) => r.member)), 'each kind of member read records').toEqual(new Set(['a', 'b', 'kafkajs']));
  }, 60_000);
});
