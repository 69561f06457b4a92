// Idempotence across a leader change on a real 3-broker node (RF 3,
// min.insync.replicas=2): an idempotent producer — kafkajs with
// `idempotent: true`, and @kstream/client's Producer, idempotent by default
// — writes continuously while the leader of partition 0's broker is
// crashed; read back from the new leaders, every acknowledged record is
// there exactly once, at its acknowledged offset, and in send order per
// partition: the retries of batches the old leader had written (and
// replicated) are recognised as duplicates by the new leader, whose producer
// state came from replicating them. And the precise case, by hand: one
// batch written through the leader, the leader crashed, the same bytes sent
// to the new leader — answered with the original offset, stored once.
import { decodeRecordBatches, encodeRecordBatch, InitProducerId, Produce } from '@kstream/protocol';
import { Producer as ClientProducer, stringSerde } from '@kstream/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/cluster.test-support.js';
import { within } from './checker/raw-cluster.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { FAST_FAILOVER, partitionViews, readFromLeader, REPLICATED, waitForPartition, withConnection, type ReadRecord } from './failover.test-support.js';
import { errorName } from './raw-connection.test-support.js';
import { fetchPartition, PRODUCE_VERSION } from './raw-requests.test-support.js';

const ASSIGNMENT = [
  { partition: 0, replicas: [1, 2, 3] },
  { partition: 1, replicas: [2, 3, 1] },
  { partition: 2, replicas: [3, 1, 2] },
];
const INIT_PRODUCER_ID_VERSION = 4;

interface Acknowledged {
  readonly partition: number;
  readonly value: string;
  readonly offset: bigint;
  readonly at: number;
}

/** `send(partition, values)` resolves each value's offset; a lane per partition calls it, one call at a time, until stopped. */
function lanes(send: (partition: number, values: string[]) => Promise<bigint[]>, perCall: number) {
  const acknowledged: Acknowledged[] = [];
  const failures: string[] = [];
  let stopped = false;
  const running = ASSIGNMENT.map(async ({ partition }) => {
    for (let call = 0; !stopped; call++) {
      const values = Array.from({ length: perCall }, (_, i) => `p${partition}-${call * perCall + i}`);
      try {
        const offsets = await send(partition, values);
        const at = Date.now();
        values.forEach((value, i) => {
          acknowledged.push({ partition, value, offset: offsets[i]!, at });
        });
      } catch (error) {
        failures.push(`${values[0]}..: ${(error as Error).name}: ${(error as Error).message}`);
      }
    }
  });
  return {
    acknowledged,
    failures,
    ackedSince: (partition: number, since: number) => acknowledged.filter((a) => a.partition === partition && a.at > since).length,
    async stop(): Promise<void> {
      stopped = true;
      await Promise.all(running);
    },
  };
}

describe('idempotence across a leader change', () => {
  let node: CompatCluster;

  beforeAll(async () => {
    node = await CompatCluster.start('idempotence-failover', REPLICATED, FAST_FAILOVER);
  }, 30_000);

  afterAll(async () => {
    await node?.stop();
  });

  async function createTopic(prefix: string): Promise<string> {
    const topic = topicName(prefix);
    const admin = await node.admin();
    await admin.createTopics({ topics: [{ topic, replicaAssignment: ASSIGNMENT }] });
    for (const { partition } of ASSIGNMENT) await waitForPartition(node, topic, partition, 'the ISR full', (p) => p.isr.length === 3);
    return topic;
  }

  /** Sends until 100 records per partition are acknowledged, crashes the broker leading partition 0, sends until 100 more per partition are. */
  async function crashMidStream(topic: string, run: ReturnType<typeof lanes>): Promise<void> {
    const before = await partitionViews(node, topic);
    const victim = before[0]!.leader;
    try {
      await waitFor('acknowledged records on every partition before the crash', () => ASSIGNMENT.every(({ partition }) => run.ackedSince(partition, 0) >= 100), 20_000);
      const crashedAt = Date.now();
      await node.cluster.control.crashBroker(victim);
      await waitFor('acknowledged records on every partition after the crash', () => ASSIGNMENT.every(({ partition }) => run.ackedSince(partition, crashedAt) >= 100), 30_000);
    } finally {
      await run.stop();
    }
    for (const { partition } of ASSIGNMENT) await waitForPartition(node, topic, partition, 'a leader after the crash', (p) => p.leader >= 0);
  }

  /** Every acknowledged record stored once, at its offset, the values of each partition stored in send order; returns the producer ids its batches carry. */
  async function expectExactlyOnceInOrder(topic: string, acknowledged: readonly Acknowledged[]): Promise<Set<bigint>> {
    const views = await partitionViews(node, topic);
    const producerIds = new Set<bigint>();
    for (const { partition } of ASSIGNMENT) {
      const leader = views[partition]!.leader;
      const stored: ReadRecord[] = await readFromLeader(node, leader, topic, partition);
      const atOffset = new Map(stored.map((r) => [r.offset, r.value]));
      const acked = acknowledged.filter((a) => a.partition === partition);
      expect(
        acked.filter((a) => atOffset.get(a.offset) !== a.value).map((a) => `${a.value}@${a.offset}`),
        `partition ${partition}: acknowledged records not at their offset`,
      ).toEqual([]);
      const counts = new Map<string, number>();
      for (const r of stored) counts.set(r.value, (counts.get(r.value) ?? 0) + 1);
      expect(
        [...counts].filter(([, n]) => n > 1).map(([v, n]) => `${v} x${n}`),
        `partition ${partition}: values stored more than once`,
      ).toEqual([]);
      const numbers = stored.map((r) => Number(r.value.split('-')[1]));
      expect(numbers, `partition ${partition}: stored in send order`).toEqual([...numbers].sort((a, b) => a - b));
      for (const id of await batchProducerIds(leader, topic, partition)) producerIds.add(id);
    }
    return producerIds;
  }

  /** The producer id of every batch of `topic`-`partition` on `leader`. */
  async function batchProducerIds(leader: number, topic: string, partition: number): Promise<bigint[]> {
    return withConnection(node, leader, async (conn) => {
      const ids: bigint[] = [];
      for (let next = 0n; ; ) {
        const fetched = await fetchPartition(conn, topic, partition, next);
        if (fetched.errorCode !== 0) throw new Error(`Fetch ${topic}-${partition} from broker ${leader} at ${next}: ${errorName(fetched.errorCode)}`);
        if (next >= fetched.highWatermark) return ids;
        const batches = await decodeRecordBatches(fetched.records ?? Buffer.alloc(0));
        for (const b of batches) ids.push(b.header.producerId);
        next = batches.at(-1)!.header.baseOffset + BigInt(batches.at(-1)!.header.lastOffsetDelta) + 1n;
      }
    });
  }

  it('kafkajsIdempotentProducerWritesEachRecordOnceAcrossALeaderCrash: in send order, at its acknowledged offset', async () => {
    const topic = await createTopic('kafkajs-idempotent');
    const producer = await node.producer({ idempotent: true, maxInFlightRequests: 1 });
    const run = lanes(async (partition, values) => {
      const answers = await producer.send({ topic, acks: -1, timeout: 5_000, messages: values.map((value) => ({ value, partition })) });
      const base = BigInt(answers[0]!.baseOffset!);
      return values.map((_, i) => base + BigInt(i));
    }, 5);
    await crashMidStream(topic, run);
    const producerIds = await expectExactlyOnceInOrder(topic, run.acknowledged);
    expect(
      [...producerIds].filter((id) => id < 0n),
      'batches written without a producer id',
    ).toEqual([]);
    console.log(
      `idempotence-failover kafkajs: ${run.acknowledged.length} acknowledged, each stored once; ${run.failures.length} sends failed; producer ids ${[...producerIds].join(', ')}`,
    );
  }, 90_000);

  it('clientProducerIdempotentByDefaultWritesEachRecordOnceAcrossALeaderCrash: retried batches are not stored twice', async () => {
    const topic = await createTopic('client-idempotent');
    const retries: string[] = [];
    const producer = new ClientProducer<string, string>({
      bootstrap: node.bootstrap,
      valueSerializer: stringSerde,
      lingerMs: 2,
      requestTimeoutMs: 3_000,
      deliveryTimeoutMs: 20_000,
      logger: { debug: (message: string) => retries.push(message), info() {}, warn() {}, error() {} },
    });
    const run = lanes(async (partition, values) => (await producer.send(values.map((value) => ({ topic, value, partition })))).map((m) => m.offset), 20);
    try {
      await crashMidStream(topic, run);
    } finally {
      await producer.close({ timeoutMs: 10_000 });
    }
    expect(run.failures, 'sends that failed').toEqual([]);
    expect(retries.filter((m) => m.startsWith('retrying')).length, 'batches retried after the crash').toBeGreaterThan(0);
    const producerIds = await expectExactlyOnceInOrder(topic, run.acknowledged);
    expect(producerIds.size, `one producer id on every batch (got ${[...producerIds].join(', ')})`).toBe(1);
    expect([...producerIds][0]!).toBeGreaterThanOrEqual(0n);
  }, 90_000);

  it('aBatchRetriedToTheNewLeaderIsAnsweredAsADuplicateAtItsOriginalOffset', async () => {
    const topic = await createTopic('retried-batch');
    const before = (await partitionViews(node, topic))[0]!;
    const init = await withConnection(node, before.leader, (conn) =>
      within(
        conn.request(InitProducerId, INIT_PRODUCER_ID_VERSION, { transactionalId: null, transactionTimeoutMs: 2 ** 31 - 1, producerId: -1n, producerEpoch: -1 }),
        10_000,
        'InitProducerId',
      ),
    );
    expect(errorName(init.errorCode)).toBe('NONE');
    const batch = (baseSequence: number, values: string[]) =>
      encodeRecordBatch({ producerId: init.producerId, producerEpoch: init.producerEpoch, baseSequence, records: values.map((v) => ({ key: null, value: Buffer.from(v) })) });
    const produce = async (broker: number, records: Buffer) => {
      const response = await withConnection(node, broker, (conn) =>
        within(
          conn.request(Produce, PRODUCE_VERSION, { transactionalId: null, acks: -1, timeoutMs: 5_000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] }),
          10_000,
          `Produce to broker ${broker}`,
        ),
      );
      return response.responses[0]!.partitionResponses[0]!;
    };
    const first = await produce(before.leader, await batch(0, ['a', 'b']));
    const second = await produce(before.leader, await batch(2, ['c']));
    expect([errorName(first.errorCode), errorName(second.errorCode), first.baseOffset, second.baseOffset]).toEqual(['NONE', 'NONE', 0n, 2n]);

    await node.cluster.control.crashBroker(before.leader);
    const others = [1, 2, 3].filter((b) => b !== before.leader);
    const after = await waitForPartition(node, topic, 0, `a leader other than the crashed broker ${before.leader}`, (p) => p.leader >= 0 && p.leader !== before.leader, {
      askBrokers: others,
    });
    // The client never heard the second batch's answer: it sends the same batch again, then the next.
    let retried = await produce(after.leader, await batch(2, ['c']));
    await waitFor(
      'the new leader accepting produces',
      async () => {
        if (retried.errorCode === 0) return true;
        retried = await produce(after.leader, await batch(2, ['c']));
        return retried.errorCode === 0;
      },
      15_000,
    );
    const next = await produce(after.leader, await batch(3, ['d']));
    expect([retried.baseOffset, errorName(next.errorCode), next.baseOffset]).toEqual([2n, 'NONE', 3n]);
    expect((await readFromLeader(node, after.leader, topic, 0)).map((r) => r.value)).toEqual(['a', 'b', 'c', 'd']);
  }, 60_000);
});
