// @kstream/client/kafkajs's consumer against a 3-broker node, beside
// kafkajs 2.2.4: a kafkajs member and ours share one group (a rolling
// migration), each message read once; lifecycle events come in kafkajs's
// order; pause() inside eachMessage holds the partition and its resume
// function lets it go on without loss; seek rewinds; commitOffsets with
// autoCommit off commits exactly what is asked; a handler that keeps
// failing crashes the consumer with kafkajs's error and restart decision.
import * as ours from '@kstream/client/kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/cluster.test-support.js';
import { compatKafka, KSTREAM, LIBS, type Lib } from './client-kafkajs.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { GROUP_CONFIGS } from './groups.test-support.js';

const PARTITIONS = 6;
const MESSAGES = 60;

describe('@kstream/client/kafkajs consumer beside kafkajs', () => {
  let node: CompatCluster;
  let admin: ours.Admin;
  let topic: string;
  const clients: Array<{ disconnect(): Promise<void> }> = [];

  function kafka(lib: Lib): ours.Kafka {
    return compatKafka(lib, node.bootstrap);
  }

  function consumer(lib: Lib, config: Partial<ours.ConsumerConfig> = {}): ours.Consumer {
    const c = kafka(lib).consumer({ groupId: topicName(`group-${lib.name}`), maxWaitTimeInMs: 100, sessionTimeout: 6_000, heartbeatInterval: 500, ...config });
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    node = await CompatCluster.start('client-kafkajs-consumer', GROUP_CONFIGS);
    admin = kafka(KSTREAM).admin();
    clients.push(admin);
    await admin.connect();
    topic = topicName('consumed');
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }] });
    const producer = kafka(KSTREAM).producer();
    clients.push(producer);
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: MESSAGES }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.disconnect()));
    await node?.stop();
  });

  it('kafkajsAndOursShareOneGroup: round-robin under kafkajs protocol name, every message read once, assignments disjoint', async () => {
    const groupId = topicName('mixed');
    const read = new Map<string, string[]>([
      ['kafkajs', []],
      ['kstream', []],
    ]);
    const assignments = new Map<string, Record<string, number[]>>();
    const joins = new Map<string, ours.ConsumerGroupJoinEvent['payload']>();
    const members = LIBS.map((lib) => {
      const c = consumer(lib, { groupId });
      c.on(c.events.GROUP_JOIN, (e) => {
        assignments.set(lib.name, e.payload.memberAssignment);
        joins.set(lib.name, e.payload);
      });
      return { lib, c };
    });
    await Promise.all(members.map(({ c }) => c.connect()));
    await Promise.all(members.map(({ c }) => c.subscribe({ topics: [topic], fromBeginning: true })));
    // Both join before anything is read, so neither reads partitions the other is given afterwards.
    await Promise.all(members.map(({ lib, c }) => c.run({ eachMessage: async ({ partition, message }) => void read.get(lib.name)!.push(`${partition}@${message.offset}`) })));
    await waitFor(
      'both members to hold 3 partitions each',
      () => {
        const held = [...assignments.values()].map((a) => Object.values(a).flat().length);
        return held.length === 2 && held.every((n) => n === PARTITIONS / 2);
      },
      20_000,
    );
    await waitFor('every message to be read', () => read.get('kafkajs')!.length + read.get('kstream')!.length >= MESSAGES, 20_000);
    const all = [...read.get('kafkajs')!, ...read.get('kstream')!];
    expect(new Set(all).size, 'no message read twice').toBe(all.length);
    expect(all).toHaveLength(MESSAGES);
    const kafkajsPartitions = new Set(read.get('kafkajs')!.map((m) => m.split('@')[0]));
    expect(
      read.get('kstream')!.some((m) => kafkajsPartitions.has(m.split('@')[0])),
      'no partition read by both',
    ).toBe(false);
    const description = await admin.describeGroups([groupId]);
    expect(description.groups[0]).toMatchObject({ protocol: 'RoundRobinAssigner', protocolType: 'consumer', state: 'Stable' });
    // Each member's last GROUP_JOIN names itself, the same leader, and the protocol: kafkajs's payload, filled the same way by ours.
    const [theirs, mine] = [joins.get('kafkajs')!, joins.get('kstream')!];
    expect(new Set(description.groups[0]!.members.map((m) => m.memberId))).toEqual(new Set([theirs.memberId, mine.memberId]));
    expect(mine.leaderId).toBe(theirs.leaderId);
    expect([theirs.isLeader, mine.isLeader].sort()).toEqual([false, true]);
    expect(mine).toMatchObject({ groupId, groupProtocol: 'RoundRobinAssigner', isLeader: mine.leaderId === mine.memberId });
    expect(mine.duration).toBeGreaterThanOrEqual(0);
    await Promise.all(members.map(({ c }) => c.disconnect()));
  }, 45_000);

  it('cooperativeStickyThroughTheKafkajsApi: a second member takes half, the first keeps the rest, each message read once', async () => {
    const groupId = topicName('cooperative');
    const read: string[] = [];
    const joins = new Map<string, number[][]>([
      ['first', []],
      ['second', []],
    ]);
    const start = async (name: string) => {
      const c = consumer(KSTREAM, { groupId, partitionAssigners: [ours.PartitionAssigners.cooperativeSticky] });
      c.on(c.events.GROUP_JOIN, (e) => joins.get(name)!.push(Object.values(e.payload.memberAssignment).flat().sort()));
      await c.connect();
      await c.subscribe({ topics: [topic], fromBeginning: true });
      await c.run({ eachMessage: async ({ partition, message }) => void read.push(`${partition}@${message.offset}`) });
      return c;
    };
    const first = await start('first');
    await waitFor('the first member to read everything', () => read.length >= MESSAGES, 20_000);
    const second = await start('second');
    await waitFor('the members to split the partitions 3 and 3', () => joins.get('second')!.at(-1)?.length === 3 && joins.get('first')!.at(-1)?.length === 3, 20_000);
    const kept = joins.get('first')!.at(-1)!;
    expect(joins.get('first')![0]).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...kept, ...joins.get('second')!.at(-1)!].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(new Set(read).size, 'nothing read twice: the moved partitions were committed before they moved').toBe(read.length);
    expect((await admin.describeGroups([groupId])).groups[0]).toMatchObject({ protocol: 'cooperative-sticky', state: 'Stable' });
    await Promise.all([first.disconnect(), second.disconnect()]);
  }, 45_000);

  it('lifecycleEventsInKafkajsOrder: connect (on connect and again as run starts), group_join, stop, disconnect; describeGroup alike', async () => {
    const descriptions = new Map<string, Record<string, unknown>>();
    const sequences = await Promise.all(
      LIBS.map(async (lib) => {
        const c = consumer(lib);
        const events: string[] = [];
        for (const name of [c.events.CONNECT, c.events.GROUP_JOIN, c.events.REBALANCING, c.events.STOP, c.events.DISCONNECT, c.events.CRASH]) {
          c.on(name, (e) => void events.push(e.type));
        }
        await c.connect();
        await c.subscribe({ topics: [topic], fromBeginning: true });
        let seen = 0;
        await c.run({ eachMessage: async () => void seen++ });
        await waitFor(`${lib.name} to read everything`, () => seen >= MESSAGES, 20_000);
        const group = await c.describeGroup();
        const [member] = group.members;
        descriptions.set(lib.name, {
          ...group,
          groupId: typeof group.groupId,
          members: group.members.length,
          clientId: member!.clientId,
          assignment: ours.AssignerProtocol.MemberAssignment.decode(member!.memberAssignment)?.assignment,
          subscribed: ours.AssignerProtocol.MemberMetadata.decode(member!.memberMetadata)?.topics,
        });
        await c.disconnect();
        return events;
      }),
    );
    expect(descriptions.get('kafkajs')).toMatchObject({ state: 'Stable', protocol: 'RoundRobinAssigner', protocolType: 'consumer', members: 1 });
    expect(descriptions.get('kstream')).toEqual({ ...descriptions.get('kafkajs'), clientId: 'compat-kstream' });
    expect(sequences[0]).toEqual(['consumer.connect', 'consumer.connect', 'consumer.group_join', 'consumer.stop', 'consumer.disconnect']);
    expect(sequences[1]).toEqual(sequences[0]);
  }, 30_000);

  it('pauseInEachMessageHoldsThePartitionAndResumeGoesOn: nothing lost or repeated', async () => {
    const outcomes = await Promise.all(
      LIBS.map(async (lib) => {
        const c = consumer(lib);
        await c.connect();
        await c.subscribe({ topics: [topic], fromBeginning: true });
        const read: string[] = [];
        let pausedSeen: ours.TopicPartitions[] = [];
        let paused = false;
        await c.run({
          eachMessage: async ({ partition, message, pause }) => {
            read.push(`${partition}@${message.offset}`);
            if (!paused && partition === 0 && message.offset === '1') {
              paused = true;
              const resume = pause();
              pausedSeen = c.paused();
              setTimeout(resume, 300);
            }
          },
        });
        await waitFor(`${lib.name} to read everything after the pause`, () => read.length >= MESSAGES, 20_000);
        await c.disconnect();
        const partition0 = read.filter((m) => m.startsWith('0@'));
        return { pausedSeen, unique: new Set(read).size, total: read.length, partition0InOrder: partition0.every((m, i) => m === `0@${i}`) };
      }),
    );
    expect(outcomes[0]).toEqual({ pausedSeen: [{ topic, partitions: [0] }], unique: MESSAGES, total: MESSAGES, partition0InOrder: true });
    expect(outcomes[1]).toEqual(outcomes[0]);
  }, 30_000);

  it('seekRewindsAndCommitOffsetsCommitsWhatIsAsked (autoCommit off)', async () => {
    const outcomes = await Promise.all(
      LIBS.map(async (lib) => {
        const groupId = topicName(`seek-${lib.name}`);
        const c = consumer(lib, { groupId });
        await c.connect();
        await c.subscribe({ topics: [topic], fromBeginning: true });
        const read: string[] = [];
        let rewound = false;
        await c.run({ autoCommit: false, eachMessage: async ({ partition, message }) => void read.push(`${partition}@${message.offset}`) });
        await waitFor(`${lib.name} to read everything`, () => read.length >= MESSAGES, 20_000);
        const counts = new Map<string, number>();
        for (const m of read) counts.set(m.split('@')[0]!, (counts.get(m.split('@')[0]!) ?? 0) + 1);
        const partition = Number([...counts].find(([, n]) => n >= 4)![0]);
        c.seek({ topic, partition, offset: '2' });
        rewound = true;
        await waitFor(`${lib.name} to read partition ${partition} again from 2`, () => read.length >= MESSAGES + counts.get(String(partition))! - 2, 20_000);
        await c.commitOffsets([{ topic, partition, offset: '3' }]);
        const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
        await c.disconnect();
        return {
          rewound,
          again: read.slice(MESSAGES).every((m) => m.startsWith(`${partition}@`)) && read[MESSAGES] === `${partition}@2`,
          committed: committed[0]!.partitions.filter((p) => p.offset !== '-1').map(({ partition: p, offset }) => ({ partition: p - partition, offset })),
        };
      }),
    );
    expect(outcomes[0]).toEqual({ rewound: true, again: true, committed: [{ partition: 0, offset: '3' }] });
    expect(outcomes[1]).toEqual(outcomes[0]);
  }, 30_000);

  it('aHandlerThatKeepsFailingCrashesTheConsumer: KafkaJSNumberOfRetriesExceeded, restart as restartOnFailure says', async () => {
    const outcomes = await Promise.all(
      LIBS.flatMap((lib) =>
        [true, false].map(async (restart) => {
          const c = consumer(lib, { retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100, restartOnFailure: async () => restart } });
          const crashes: { name: string; restart: boolean; cause?: string }[] = [];
          const events: string[] = [];
          c.on(c.events.CRASH, (e) => void crashes.push({ name: e.payload.error.name, restart: e.payload.restart, cause: (e.payload.error.cause as Error)?.message }));
          for (const name of [c.events.CONNECT, c.events.GROUP_JOIN, c.events.STOP, c.events.DISCONNECT, c.events.CRASH]) c.on(name, (e) => void events.push(e.type));
          await c.connect();
          await c.subscribe({ topics: [topic], fromBeginning: true });
          let calls = 0;
          await c.run({
            eachMessage: async () => {
              calls++;
              throw new Error('always fails');
            },
          });
          await waitFor(`${lib.name} to crash`, () => crashes.length >= 1, 20_000);
          const callsAtCrash = calls;
          if (restart) await waitFor(`${lib.name} to restart and call the handler again`, () => calls > callsAtCrash, 20_000);
          // Up to the first crash and, restarted, the next connect; then whether it joined the group again (under load
          // kafkajs may stop and start once more in between, so the join is looked for, not its place).
          const crashAt = events.indexOf('consumer.crash');
          const sequence = events.slice(0, crashAt + (restart ? 2 : 1));
          const rejoined = events.slice(crashAt).includes('consumer.group_join');
          await c.disconnect();
          return { lib: lib.name, first: crashes[0], sequence, rejoined };
        }),
      ),
    );
    const byLib = (name: string) => outcomes.filter((o) => o.lib === name).map((o) => o.first);
    const sequences = (name: string) => outcomes.filter((o) => o.lib === name).map((o) => o.sequence);
    expect(sequences('kafkajs')[0]).toEqual([
      'consumer.connect',
      'consumer.connect',
      'consumer.group_join',
      'consumer.stop',
      'consumer.disconnect',
      'consumer.crash',
      'consumer.connect',
    ]);
    expect(sequences('kstream')).toEqual(sequences('kafkajs'));
    const rejoined = (name: string) => outcomes.filter((o) => o.lib === name).map((o) => o.rejoined);
    expect(rejoined('kafkajs')).toEqual([true, false]);
    expect(rejoined('kstream')).toEqual(rejoined('kafkajs'));
    expect(byLib('kafkajs')).toEqual([
      { name: 'KafkaJSNumberOfRetriesExceeded', restart: true, cause: 'always fails' },
      { name: 'KafkaJSNumberOfRetriesExceeded', restart: false, cause: 'always fails' },
    ]);
    expect(byLib('kstream')).toEqual(byLib('kafkajs'));
  }, 45_000);
});
