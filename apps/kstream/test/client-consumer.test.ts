// @kstream/client's Consumer against a real 3-broker node, by manual
// assignment: what kafkajs and kcat (librdkafka) produce comes back with the
// same keys, values, headers, timestamps and offsets, through every codec;
// seek, pause/resume, autoOffsetReset and the four ways to read; and a
// leader crash mid-consume loses and repeats nothing.
import { CompressionTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consumer, NoOffsetForPartitionError, OffsetOutOfRangeError, stringSerde, type ConsumerOptions, type ConsumerRecord } from '@kstream/client';
import { waitFor } from '../src/cluster.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { FAST_FAILOVER, REPLICATED, waitForPartition } from './failover.test-support.js';
import { kcatMissing, kcatProduce } from './kcat.test-support.js';

type StringConsumer = Consumer<string, string>;

describe('@kstream/client Consumer (assign)', () => {
  let node: CompatCluster;
  const consumers: StringConsumer[] = [];

  beforeAll(async () => {
    node = await CompatCluster.start('client-consumer', { ...REPLICATED, 'group.initial.rebalance.delay.ms': '200' }, FAST_FAILOVER);
  });

  afterAll(async () => {
    await Promise.allSettled(consumers.map((c) => c.close()));
    await node?.stop();
  });

  function consumer(options: Partial<ConsumerOptions<string, string>> = {}): StringConsumer {
    const c = new Consumer<string, string>({
      bootstrap: node.bootstrap,
      keyDeserializer: stringSerde,
      valueDeserializer: stringSerde,
      autoOffsetReset: 'earliest',
      fetchMaxWaitMs: 100,
      requestTimeoutMs: 5_000,
      ...options,
    });
    consumers.push(c);
    return c;
  }

  /** A topic of one replica per partition (the node asks for two in sync by default: this one does not). */
  async function createTopic(prefix: string, partitions = 1): Promise<string> {
    const topic = topicName(prefix);
    const admin = await node.admin();
    const configEntries = [{ name: 'min.insync.replicas', value: '1' }];
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1, configEntries }], waitForLeaders: true });
    return topic;
  }

  /** Polls until `count` records arrived (or fails naming what it got), in arrival order. */
  async function pollRecords(c: StringConsumer, count: number, timeoutMs = 10_000): Promise<ConsumerRecord<string, string>[]> {
    const got: ConsumerRecord<string, string>[] = [];
    const deadline = Date.now() + timeoutMs;
    while (got.length < count) {
      if (Date.now() > deadline) throw new Error(`read ${got.length} of ${count} records in ${timeoutMs} ms: ${got.map((r) => r.value).join(',')}`);
      for (const batch of await c.poll({ timeoutMs: 200 })) got.push(...batch.records);
    }
    return got;
  }

  const summary = (r: ConsumerRecord<string, string>) => ({ partition: r.partition, offset: r.offset, key: r.key, value: r.value });

  it('kafkajsRecordsReadBackIdentically: keys, values, headers, timestamps and offsets, gzip included', async () => {
    const topic = await createTopic('consumer-kafkajs', 3);
    const producer = await node.producer();
    const messages = Array.from({ length: 30 }, (_, i) => ({
      partition: i % 3,
      key: i % 5 === 0 ? null : `key-${i}`,
      value: i % 7 === 0 ? null : `value-${i}`,
      timestamp: String(1_700_000_000_000 + i),
      headers: i % 2 === 0 ? { trace: `t${i}`, other: Buffer.from([0, 1, 2]) } : {},
    }));
    await producer.send({ topic, messages: messages.slice(0, 15) });
    await producer.send({ topic, compression: CompressionTypes.GZIP, messages: messages.slice(15) });

    const c = consumer();
    c.assign([0, 1, 2].map((partition) => ({ topic, partition })));
    const got = new Map<number, ConsumerRecord<string, string>[]>();
    let total = 0;
    for await (const batch of c) {
      expect(batch.topic).toBe(topic);
      got.set(batch.partition, [...(got.get(batch.partition) ?? []), ...batch.records]);
      total += batch.records.length;
      if (total >= messages.length) break;
    }
    for (const partition of [0, 1, 2]) {
      const sent = messages.filter((m) => m.partition === partition);
      const read = got.get(partition) ?? [];
      expect(read.map((r) => r.offset)).toEqual(sent.map((_, i) => BigInt(i)));
      expect(read.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers }))).toEqual(
        sent.map((m) => ({
          key: m.key,
          value: m.value,
          timestamp: Number(m.timestamp),
          headers: Object.entries(m.headers).map(([key, value]) => ({ key, value: Buffer.from(value) })),
        })),
      );
    }
    expect(c.position({ topic, partition: 0 })).toBe(10n);
  });

  it.skipIf(kcatMissing !== null)('kcatCompressedBatchesReadBack: lz4, zstd and snappy from librdkafka', async () => {
    const topic = await createTopic('consumer-kcat');
    const expected: string[] = [];
    for (const codec of ['lz4', 'zstd', 'snappy']) {
      const lines = Array.from({ length: 20 }, (_, i) => `${codec}-k${i}:${codec}-v${i}`);
      expected.push(...lines);
      await kcatProduce(node.bootstrap, topic, lines, ['-p', '0', '-K', ':', '-X', `compression.codec=${codec}`, '-X', 'linger.ms=50']);
    }
    const c = consumer();
    c.assign([{ topic, partition: 0 }]);
    const read: string[] = [];
    for await (const record of c.records()) {
      read.push(`${record.key}:${record.value}`);
      if (read.length === expected.length) break;
    }
    expect(read).toEqual(expected);
  });

  it('seekMovesTheNextRecordRead: to an offset, to earliest, to latest', async () => {
    const topic = await createTopic('consumer-seek');
    const producer = await node.producer();
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })) });
    const c = consumer();
    const tp = { topic, partition: 0 };
    c.assign([tp]);
    c.seek(tp, 6n);
    expect((await pollRecords(c, 4)).map((r) => r.value)).toEqual(['v6', 'v7', 'v8', 'v9']);
    c.seek(tp, 'earliest');
    expect((await pollRecords(c, 10)).map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i)));
    c.seek(tp, 'latest');
    await waitFor('the position to be the log end after seek latest', async () => {
      await c.poll({ timeoutMs: 50 });
      return c.position(tp) === 10n;
    });
    await producer.send({ topic, messages: [{ value: 'after' }] });
    expect((await pollRecords(c, 1)).map(summary)).toEqual([{ partition: 0, offset: 10n, key: null, value: 'after' }]);
  });

  it('pausedPartitionHandsNothingUntilResumed', async () => {
    const topic = await createTopic('consumer-pause', 2);
    const producer = await node.producer();
    await producer.send({ topic, messages: [0, 1].map((partition) => ({ partition, value: `first-${partition}` })) });
    const c = consumer();
    const [p0, p1] = [0, 1].map((partition) => ({ topic, partition }));
    c.assign([p0!, p1!]);
    c.pause([p0!]);
    expect(c.paused()).toEqual([p0]);
    expect((await pollRecords(c, 1)).map((r) => r.value)).toEqual(['first-1']);
    await producer.send({ topic, messages: [0, 1].map((partition) => ({ partition, value: `second-${partition}` })) });
    expect((await pollRecords(c, 1)).map((r) => r.value)).toEqual(['second-1']);
    expect(await c.poll({ timeoutMs: 300 })).toEqual([]);
    c.resume([p0!]);
    expect((await pollRecords(c, 2)).map((r) => r.value)).toEqual(['first-0', 'second-0']);
  });

  it('autoOffsetResetLatestEarliestAndNone', async () => {
    const topic = await createTopic('consumer-reset');
    const tp = { topic, partition: 0 };
    const producer = await node.producer();
    await producer.send({ topic, messages: [{ value: 'old' }] });

    const latest = consumer({ autoOffsetReset: 'latest' });
    latest.assign([tp]);
    await waitFor('the latest consumer to have its position', async () => {
      await latest.poll({ timeoutMs: 50 });
      return latest.position(tp) === 1n;
    });
    await producer.send({ topic, messages: [{ value: 'new' }] });
    expect((await pollRecords(latest, 1)).map((r) => r.value)).toEqual(['new']);

    const earliest = consumer({ autoOffsetReset: 'earliest' });
    earliest.assign([tp]);
    expect((await pollRecords(earliest, 2)).map((r) => r.value)).toEqual(['old', 'new']);

    const none = consumer({ autoOffsetReset: 'none' });
    none.assign([tp]);
    const error = await none.poll({ timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoOffsetForPartitionError);
    expect((error as Error).message).toContain(`${topic}-0`);
    none.seek(tp, 1n);
    expect((await pollRecords(none, 1)).map((r) => r.value)).toEqual(['new']);
  });

  it('offsetOutOfRangeFollowsTheResetPolicy', async () => {
    const topic = await createTopic('consumer-range');
    const tp = { topic, partition: 0 };
    const producer = await node.producer();
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }] });
    const earliest = consumer({ autoOffsetReset: 'earliest' });
    earliest.assign([tp]);
    earliest.seek(tp, 1_000n);
    expect((await pollRecords(earliest, 2)).map((r) => r.value)).toEqual(['a', 'b']);

    const none = consumer({ autoOffsetReset: 'none' });
    none.assign([tp]);
    none.seek(tp, 1_000n);
    let error: unknown;
    await waitFor('OffsetOutOfRangeError from poll', async () => {
      error = await none.poll({ timeoutMs: 200 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      return error !== undefined;
    });
    expect(error).toBeInstanceOf(OffsetOutOfRangeError);
    expect((error as Error).message).toMatch(new RegExp(`offset 1000 of ${topic}-0 is out of range`));
  });

  it('runHandsEachRecordOrEachBatchUntilCloseAndAThrowRejects', async () => {
    const topic = await createTopic('consumer-run');
    const producer = await node.producer();
    await producer.send({ topic, messages: Array.from({ length: 6 }, (_, i) => ({ value: `v${i}` })) });
    const tp = { topic, partition: 0 };

    const byRecord = consumer();
    byRecord.assign([tp]);
    const values: string[] = [];
    const running = byRecord.run({
      eachRecord: async (record) => {
        values.push(record.value!);
        if (values.length === 6) await byRecord.close();
      },
    });
    await running;
    expect(values).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5']);

    const byBatch = consumer();
    byBatch.assign([tp]);
    const failure = new Error('handler failed');
    await expect(
      byBatch.run({
        eachBatch: () => {
          throw failure;
        },
      }),
    ).rejects.toBe(failure);
  });

  it('commitThenCommittedAndANewConsumerStartsThere: manual assignment in a group', async () => {
    const topic = await createTopic('consumer-commit');
    const tp = { topic, partition: 0 };
    const groupId = topicName('assign-group');
    const producer = await node.producer();
    await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ value: `v${i}` })) });
    const first = consumer({ groupId, enableAutoCommit: false });
    first.assign([tp]);
    expect((await first.committed([tp])).get(`${topic}-0`)).toBeNull();
    await pollRecords(first, 5);
    await first.commit();
    expect((await first.committed([tp])).get(`${topic}-0`)).toBe(5n);
    await first.commit([{ ...tp, offset: 3n }]);
    await first.close();

    const second = consumer({ groupId, enableAutoCommit: false });
    second.assign([tp]);
    expect((await pollRecords(second, 2)).map((r) => r.value)).toEqual(['v3', 'v4']);
  });

  it('autoCommitOfAssignedPartitionsOnPollAndClose', async () => {
    const topic = await createTopic('consumer-autocommit');
    const tp = { topic, partition: 0 };
    const groupId = topicName('autocommit-group');
    const producer = await node.producer();
    await producer.send({ topic, messages: Array.from({ length: 4 }, (_, i) => ({ value: `v${i}` })) });
    const first = consumer({ groupId, autoCommitIntervalMs: 0 });
    first.assign([tp]);
    await pollRecords(first, 4);
    // The next poll commits what the last one handed over.
    await first.poll({ timeoutMs: 10 });
    await waitFor('the auto-commit of offset 4', async () => (await first.committed([tp])).get(`${topic}-0`) === 4n);
    await producer.send({ topic, messages: [{ value: 'v4' }] });
    await pollRecords(first, 1);
    await first.close();
    const checker = consumer({ groupId, enableAutoCommit: false });
    expect((await checker.committed([tp])).get(`${topic}-0`)).toBe(5n);
  });

  it('subscribedConsumerReadsEveryPartitionAndItsCloseCommits: the next member of the group starts there', async () => {
    const topic = await createTopic('consumer-subscribe', 3);
    const groupId = topicName('subscribe-group');
    const producer = await node.producer();
    await producer.send({ topic, messages: Array.from({ length: 30 }, (_, i) => ({ partition: i % 3, value: `first-${i}` })) });
    const first = consumer({ groupId, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 });
    first.subscribe([topic]);
    const read: string[] = [];
    for await (const batch of first) {
      read.push(...batch.records.map((r) => r.value!));
      if (read.length >= 30) break;
    }
    expect(read.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `first-${i}`).sort());
    expect(
      first
        .assignment()
        .map((p) => p.partition)
        .sort(),
    ).toEqual([0, 1, 2]);
    await first.close();

    await producer.send({ topic, messages: Array.from({ length: 6 }, (_, i) => ({ partition: i % 3, value: `second-${i}` })) });
    const second = consumer({ groupId, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, autoOffsetReset: 'earliest' });
    second.subscribe([topic]);
    expect((await pollRecords(second, 6)).map((r) => r.value).sort()).toEqual(Array.from({ length: 6 }, (_, i) => `second-${i}`).sort());
  });

  it('leaderCrashMidConsume: the consumer goes on from the new leader, nothing skipped or repeated', async () => {
    const topic = topicName('consumer-failover');
    const assignment = [
      { partition: 0, replicas: [1, 2, 3] },
      { partition: 1, replicas: [2, 3, 1] },
      { partition: 2, replicas: [3, 1, 2] },
    ];
    const admin = await node.admin();
    await admin.createTopics({ topics: [{ topic, replicaAssignment: assignment }] });
    for (const { partition } of assignment) await waitForPartition(node, topic, partition, 'the ISR full', (p) => p.isr.length === 3);
    const producer = await node.producer();
    const acked = new Map<number, bigint>();
    let sending = true;
    const sends = (async () => {
      for (let i = 0; sending; i++) {
        const results = await producer.send({ topic, acks: -1, messages: [0, 1, 2].map((partition) => ({ partition, value: `v${i}` })) }).catch(() => []);
        for (const r of results) acked.set(r.partition, BigInt(r.baseOffset!));
      }
    })();

    const c = consumer();
    c.assign(assignment.map(({ partition }) => ({ topic, partition })));
    const read = new Map<number, bigint[]>([
      [0, []],
      [1, []],
      [2, []],
    ]);
    let stop = false;
    const reading = (async () => {
      while (!stop) for (const batch of await c.poll({ timeoutMs: 100 })) read.get(batch.partition)!.push(...batch.records.map((r) => r.offset));
    })();
    try {
      await waitFor('records read from every partition before the crash', () => [...read.values()].every((offsets) => offsets.length >= 20));
      await node.cluster.control.crashBroker(1);
      const atCrash = new Map([...read].map(([p, offsets]) => [p, offsets.length]));
      await waitFor('records read from every partition after broker 1 crashed', () => [...read].every(([p, offsets]) => offsets.length >= atCrash.get(p)! + 20), 20_000);
    } finally {
      sending = false;
      await sends;
    }
    await waitFor('the consumer to reach the last acknowledged offset of every partition', () => [...acked].every(([p, offset]) => read.get(p)!.some((o) => o >= offset)), 15_000);
    stop = true;
    await reading;
    for (const [partition, offsets] of read) {
      expect(offsets, `partition ${partition}: every offset once, in order`).toEqual(offsets.map((_, i) => BigInt(i)));
    }
  });
});
