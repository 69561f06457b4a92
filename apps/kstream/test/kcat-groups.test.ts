// kcat -G balanced consumers (librdkafka 2's own assignors, eager range and
// cooperative-sticky) in one group on a real 3-broker node (issue 11): they
// share a topic's partitions, each record is printed by exactly one of them,
// and after a clean stop (SIGTERM: librdkafka commits and leaves) the group
// resumes from its committed offsets, printing only what came after. A
// static member back within its session keeps its partitions without a
// rebalance; a member killed without leaving loses them after its session.
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/cluster.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { committedOffsets, describeGroup, endOffsets, GROUP_CONFIGS } from './groups.test-support.js';
import { kcatMissing, kcatProduce, parseRecords, RECORD_FORMAT, startKcat } from './kcat.test-support.js';
import type { ConsumedRecord, KcatProcess } from './kcat.test-support.js';

const PARTITIONS = 4;
/**
 * kcat's line for each rebalance of a -G consumer: eager, `% Group g rebalanced (memberid m): assigned: t [0], t [2]`
 * (or `revoked: ...`); cooperative, `% Group g rebalanced: incremental assignment of 2 partition(s) (memberid m,
 * COOPERATIVE rebalance protocol): t [0], t [2]` (or `incremental revoke`).
 */
const REBALANCED = /rebalanced(?: \(memberid [^)]*\): (assigned|revoked): |: incremental (assignment|revoke) of \d+ partition\(s\) \([^)]*\): )(.*)$/;

/** A kcat -G consumer of one topic; its partitions follow its rebalance lines on stderr. */
class KcatMember {
  readonly #run: KcatProcess;

  private constructor(
    readonly name: string,
    readonly topic: string,
    run: KcatProcess,
  ) {
    this.#run = run;
  }

  /** `settings` (librdkafka `key=value`) override the short timings set here. */
  static start(bootstrap: string, name: string, groupId: string, topic: string, strategy: string, settings: readonly string[] = []): KcatMember {
    const args = [
      '-b',
      bootstrap,
      '-X',
      `client.id=${name}`,
      '-X',
      'session.timeout.ms=3000',
      '-X',
      'heartbeat.interval.ms=300',
      '-X',
      'auto.commit.interval.ms=200',
      '-X',
      'auto.offset.reset=earliest',
      '-X',
      `partition.assignment.strategy=${strategy}`,
      ...settings.flatMap((setting) => ['-X', setting]),
      '-u',
      '-Z',
      '-f',
      RECORD_FORMAT,
      '-G',
      groupId,
      topic,
    ];
    return new KcatMember(name, topic, startKcat(args));
  }

  /** Its partitions after the rebalances it printed so far (an eager assignor assigns the whole set; a cooperative one adds and revokes some). */
  get partitions(): number[] {
    const owned = new Set<number>();
    for (const line of this.#run.stderr.split('\n')) {
      const match = REBALANCED.exec(line);
      if (match === null) continue;
      const listed = [...match[3]!.matchAll(/(\S+) \[(\d+)\]/g)].filter((m) => m[1] === this.topic).map((m) => Number(m[2]));
      const kind = match[1] ?? match[2];
      if (kind === 'assigned' || kind === 'assignment') for (const p of listed) owned.add(p);
      else for (const p of listed) owned.delete(p);
    }
    return [...owned].sort((a, b) => a - b);
  }

  /** How many rebalances it printed (assignments and revocations). */
  get rebalances(): number {
    return this.#run.stderr.split('\n').filter((line) => REBALANCED.test(line)).length;
  }

  get records(): ConsumedRecord[] {
    return parseRecords(this.#run.stdout.slice(0, this.#run.stdout.lastIndexOf('\n') + 1));
  }

  /** What it printed on stderr, for a failure message. */
  get stderr(): string {
    return `${this.name} stderr:\n${this.#run.stderr}`;
  }

  /** SIGTERM: librdkafka commits its offsets and leaves the group; fails unless kcat exits 0 by itself. */
  async stop(): Promise<void> {
    const run = await this.#run.stop();
    if (run.timedOut || run.code !== 0)
      throw new Error(`${this.name} (kcat ${run.args.join(' ')}) ${run.timedOut ? 'did not exit after SIGTERM' : `exited ${run.code}`}\n${this.stderr}`);
  }

  kill(): void {
    this.#run.kill();
  }
}

describe.skipIf(kcatMissing !== null)('kcat balanced consumers', () => {
  let node: CompatCluster;
  let admin: Admin;
  const running: KcatMember[] = [];

  beforeAll(async () => {
    node = await CompatCluster.start('kcat-groups', GROUP_CONFIGS);
    admin = await node.admin();
  });

  afterAll(async () => {
    for (const member of running) member.kill();
    await node?.stop();
  });

  function start(name: string, groupId: string, topic: string, strategy: string, settings: readonly string[] = []): KcatMember {
    const member = KcatMember.start(node.bootstrap, name, groupId, topic, strategy, settings);
    running.push(member);
    return member;
  }

  /** Waits until `members` own every partition between them, each some and none twice; fails with their stderr. */
  async function waitForSharing(members: readonly KcatMember[]): Promise<void> {
    const shared = (): boolean => {
      const owned = members.map((m) => m.partitions);
      const all = owned.flat().sort((a, b) => a - b);
      return owned.every((o) => o.length > 0) && all.join() === Array.from({ length: PARTITIONS }, (_, p) => p).join();
    };
    try {
      await waitFor(`${members.map((m) => m.name).join(' and ')} to share the ${PARTITIONS} partitions`, shared, 20_000);
    } catch (error) {
      const owned = members.map((m) => `${m.name}: [${m.partitions.join(', ')}]`).join('; ');
      throw new Error(`${(error as Error).message} (owned: ${owned})\n${members.map((m) => m.stderr).join('\n')}`);
    }
  }

  /** Waits until `members` printed every one of `values` between them; fails naming what is missing, with their stderr. */
  async function waitForPrinted(members: readonly KcatMember[], values: readonly string[]): Promise<void> {
    const missing = (): string[] => {
      const printed = new Set(members.flatMap((m) => m.records.map((r) => r.value)));
      return values.filter((v) => !printed.has(v));
    };
    try {
      await waitFor(`${members.map((m) => m.name).join(' and ')} to print ${values.length} records`, () => missing().length === 0, 20_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}; missing ${missing().length}: ${missing().slice(0, 10).join(', ')}\n${members.map((m) => m.stderr).join('\n')}`);
    }
  }

  async function produce(topic: string, prefix: string, count: number): Promise<string[]> {
    const values = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
    // Keyed by the value so the records spread over every partition.
    await kcatProduce(
      node.bootstrap,
      topic,
      values.map((v) => `${v}:${v}`),
      ['-K', ':'],
    );
    return values;
  }

  async function createTopic(prefix: string): Promise<string> {
    const topic = topicName(prefix);
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
    return topic;
  }

  for (const strategy of ['range', 'cooperative-sticky']) {
    it(`sharedThenResumedFromCommits (${strategy}): each record printed by the member owning its partition, once; restarted members print only new records`, async () => {
      const topic = await createTopic(`kcat-${strategy}`);
      const groupId = topicName(`kcat-${strategy}-group`);
      const first = [start('one', groupId, topic, strategy), start('two', groupId, topic, strategy)];
      await waitForSharing(first);

      const old = await produce(topic, 'old', 80);
      await waitForPrinted(first, old);
      for (const member of first) {
        const owned = member.partitions;
        const strays = member.records.filter((r) => !owned.includes(r.partition));
        expect(strays, `${member.name} printed records of partitions it does not own [${owned.join(', ')}]`).toEqual([]);
      }
      const printed = first.flatMap((m) => m.records.map((r) => r.value));
      expect(printed.sort(), 'each record printed once across the group').toEqual([...old].sort());

      await Promise.all(first.map((m) => m.stop()));
      expect(await committedOffsets(admin, groupId, topic), 'committed up to the end offsets on close').toEqual(await endOffsets(admin, topic));

      const fresh = await produce(topic, 'new', 40);
      const second = [start('three', groupId, topic, strategy), start('four', groupId, topic, strategy)];
      await waitForSharing(second);
      await waitForPrinted(second, fresh);
      const again = second.flatMap((m) => m.records.map((r) => r.value));
      expect(again.sort(), 'only the records produced after the commits, once each').toEqual([...fresh].sort());
      await Promise.all(second.map((m) => m.stop()));
    }, 60_000);
  }

  it('staticMemberBackWithinSessionKeepsItsPartitions: a group.instance.id member restarted in time takes its partitions back, the other member sees no rebalance', async () => {
    const topic = await createTopic('kcat-static');
    const groupId = topicName('kcat-static-group');
    // Long enough for kcat to start again before the coordinator gives up on the stopped instance.
    const session = 'session.timeout.ms=15000';
    const one = start('one', groupId, topic, 'range', [session, 'group.instance.id=instance-one']);
    const two = start('two', groupId, topic, 'range', [session, 'group.instance.id=instance-two']);
    await waitForSharing([one, two]);
    const [ownedByOne, rebalancesOfTwo] = [one.partitions, two.rebalances];
    const before = await describeGroup(admin, groupId, topic);

    // A static member's close does not leave the group (KIP-345): its partitions wait for it.
    await one.stop();
    const back = start('one-again', groupId, topic, 'range', [session, 'group.instance.id=instance-one']);
    await waitFor('the restarted instance to get its partitions back', () => back.partitions.join() === ownedByOne.join(), 15_000);
    const values = await produce(topic, 'static', 40);
    await waitForPrinted([back, two], values);

    expect(two.rebalances, "the other member's rebalances (none since the restart)").toBe(rebalancesOfTwo);
    const after = await describeGroup(admin, groupId, topic);
    expect(after.state).toBe('Stable');
    const twoBefore = before.members.find((m) => m.clientId === 'two');
    expect(
      after.members.find((m) => m.clientId === 'two'),
      'the other member keeps its member id and partitions',
    ).toEqual(twoBefore);
    // Kafka keeps the replaced static member's client id; its member id is new.
    const oneBefore = before.members.find((m) => m.clientId === 'one');
    const oneAfter = after.members.find((m) => m.memberId !== twoBefore?.memberId);
    expect([oneAfter?.clientId, oneAfter?.partitions]).toEqual(['one', ownedByOne]);
    expect(oneAfter?.memberId, 'the restarted instance has a new member id').not.toBe(oneBefore?.memberId);
    await Promise.all([back.stop(), two.stop()]);
  }, 60_000);

  it('killedMemberPartitionsMoveAfterSessionTimeout: a kcat member killed without leaving loses its partitions to the other once its session times out', async () => {
    const topic = await createTopic('kcat-killed');
    const groupId = topicName('kcat-killed-group');
    const [victim, survivor] = [start('victim', groupId, topic, 'range'), start('survivor', groupId, topic, 'range')];
    await waitForSharing([victim, survivor]);
    const old = await produce(topic, 'old', 40);
    await waitForPrinted([victim, survivor], old);

    victim.kill();
    const killedAt = Date.now();
    await waitFor('the survivor to own every partition', () => survivor.partitions.length === PARTITIONS, 20_000);
    // kcat's session.timeout.ms is 3 s; the coordinator may only drop the victim once it passed.
    expect(Date.now() - killedAt, 'the partitions moved no sooner than the session timeout').toBeGreaterThanOrEqual(2_000);
    const fresh = await produce(topic, 'new', 40);
    await waitForPrinted([survivor], fresh);
    const printed = new Set([...victim.records, ...survivor.records].map((r) => r.value));
    expect(
      [...old, ...fresh].filter((v) => !printed.has(v)),
      'records never printed',
    ).toEqual([]);
    await survivor.stop();
  }, 60_000);
});
