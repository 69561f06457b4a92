// One scenario, two clients: the same program run with `kafkajs` 2.2.4 and
// with `@kstream/client/kafkajs` against one 3-broker node gives the same
// outcome — keyed messages land on the same partitions with the same
// offsets; eachMessage from the beginning sees the same messages, offsets,
// headers and timestamps (each client reading what the other wrote too);
// eachBatch with resolveOffset commits exactly what was resolved, through a
// handler failure; admin answers in the same shapes; errors by the same names.
import * as ours from '@kstream/client/kafkajs';
import * as kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/cluster.test-support.js';
import { compatKafka, LIBS, type Lib } from './client-kafkajs.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { GROUP_CONFIGS } from './groups.test-support.js';

interface SeenMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  timestamp: string;
  headers: Record<string, string | string[]>;
}

function seen(partition: number, message: ours.KafkaMessage): SeenMessage {
  const headers: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(message.headers ?? {})) {
    headers[key] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return { partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, timestamp: message.timestamp, headers };
}

const byPartitionAndOffset = (a: { partition: number; offset: string }, b: { partition: number; offset: string }) =>
  a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset));

describe('@kstream/client/kafkajs beside kafkajs', () => {
  let node: CompatCluster;
  const clients: Array<{ disconnect(): Promise<void> }> = [];

  beforeAll(async () => {
    node = await CompatCluster.start('client-kafkajs', GROUP_CONFIGS);
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.disconnect()));
    await node?.stop();
  });

  function kafka(lib: Lib): ours.Kafka {
    return compatKafka(lib, node.bootstrap);
  }

  async function admin(lib: Lib): Promise<ours.Admin> {
    const a = kafka(lib).admin();
    clients.push(a);
    await a.connect();
    return a;
  }

  async function producer(lib: Lib, config?: ours.ProducerConfig): Promise<ours.Producer> {
    const p = kafka(lib).producer(config);
    clients.push(p);
    await p.connect();
    return p;
  }

  async function createTopic(lib: Lib, prefix: string, partitions = 6): Promise<string> {
    const topic = topicName(`${prefix}-${lib.name}`);
    expect(await (await admin(lib)).createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] })).toBe(true);
    return topic;
  }

  const keyed = Array.from({ length: 60 }, (_, i) => ({
    key: `customer-${i * 7919}`,
    value: `order ${i}`,
    timestamp: String(1_700_000_000_000 + i),
    headers: { source: 'compat', trace: i % 3 === 0 ? ['a', 'b'] : `t${i}` },
  }));

  /** Everything on `topic` read by `lib`'s eachMessage from the beginning, in a group of its own. */
  async function consumeAll(lib: Lib, topic: string, count: number): Promise<SeenMessage[]> {
    const consumer = kafka(lib).consumer({ groupId: topicName(`all-${lib.name}`), maxWaitTimeInMs: 100 });
    clients.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const messages: SeenMessage[] = [];
    await consumer.run({ eachMessage: async ({ partition, message }) => void messages.push(seen(partition, message)) });
    await waitFor(`${lib.name} to read ${count} messages of ${topic}`, () => messages.length >= count, 30_000);
    await consumer.disconnect();
    return messages.sort(byPartitionAndOffset);
  }

  const produced = new Map<string, string>();

  it('keyedSendsLandOnTheSamePartitionsWithTheSameMetadata', async () => {
    const results = new Map<string, { partition: number; errorCode: number; baseOffset?: string }[]>();
    for (const lib of LIBS) {
      const topic = await createTopic(lib, 'keyed');
      produced.set(lib.name, topic);
      const p = await producer(lib);
      // Two sends: the second's base offsets are how many keys of the first each partition took.
      const first = await p.send({ topic, messages: keyed.slice(0, 30) });
      const second = await p.send({ topic, messages: keyed.slice(30) });
      for (const entry of [...first, ...second]) expect(entry.topicName).toBe(topic);
      const shape = (metadata: ours.RecordMetadata[]) =>
        metadata.map(({ partition, errorCode, baseOffset }) => ({ partition, errorCode, baseOffset })).sort((a, b) => a.partition - b.partition);
      results.set(lib.name, [...shape(first), ...shape(second)]);
    }
    expect(results.get('kafkajs')!.filter((entry) => entry.baseOffset !== '0').length).toBeGreaterThan(0);
    expect(results.get('kstream')).toEqual(results.get('kafkajs'));
  }, 30_000);

  it('eachMessageFromTheBeginningSeesTheSameMessagesBothWays', async () => {
    const reads = new Map<string, SeenMessage[]>();
    for (const reader of LIBS) {
      for (const writer of LIBS) reads.set(`${reader.name} reads ${writer.name}`, await consumeAll(reader, produced.get(writer.name)!, keyed.length));
    }
    const reference = reads.get('kafkajs reads kafkajs')!;
    expect(reference).toHaveLength(keyed.length);
    expect(reference.find((m) => m.value === 'order 3')?.headers).toEqual({ source: 'compat', trace: ['a', 'b'] });
    for (const [what, messages] of reads) expect(messages, what).toEqual(reference);
  }, 60_000);

  it('sendBatchAndLegacyPartitionerAgree: topicMessages over two topics, kafkajs 1.x key placement', async () => {
    const results = new Map<string, unknown>();
    for (const lib of LIBS) {
      const a = await createTopic(lib, 'batch-a', 4);
      const b = await createTopic(lib, 'batch-b', 5);
      const p = await producer(lib, { createPartitioner: (lib.name === 'kafkajs' ? kafkajs.Partitioners : ours.Partitioners).LegacyPartitioner });
      const metadata = await p.sendBatch({
        topicMessages: [
          { topic: a, messages: keyed.slice(0, 20) },
          { topic: b, messages: keyed.slice(20, 45) },
        ],
      });
      // One send per key after the batch: its one entry says where the key went, and its baseOffset how many went there before.
      const placed = [];
      for (const message of keyed.slice(0, 20)) {
        const [entry] = await p.send({ topic: a, messages: [message] });
        placed.push({ key: message.key, partition: entry!.partition, baseOffset: entry!.baseOffset });
      }
      results.set(lib.name, {
        batch: metadata
          .map(({ topicName: t, partition, baseOffset }) => ({ topic: t === a ? 'a' : 'b', partition, baseOffset }))
          .sort((x, y) => x.topic.localeCompare(y.topic) || x.partition - y.partition),
        placed,
      });
    }
    expect(results.get('kstream')).toEqual(results.get('kafkajs'));
  }, 30_000);

  it('customPartitionerSeesTheWholeMessage; gzip and a brokers function on the way', async () => {
    // Routes by a field of the value, which only a partitioner handed the whole message can do.
    const byRegion: ours.ICustomPartitioner =
      () =>
      ({ partitionMetadata, message }) =>
        String(message.value).includes('"eu"') ? 0 : partitionMetadata.length - 1;
    const messages = Array.from({ length: 12 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ region: i % 3 === 0 ? 'eu' : 'us', i }) }));
    const reads = new Map<string, SeenMessage[]>();
    for (const lib of LIBS) {
      const topic = await createTopic(lib, 'regions', 4);
      const p = new lib.Kafka({
        clientId: `compat-${lib.name}`,
        brokers: async () => node.bootstrap.split(','),
        logLevel: ours.logLevel.NOTHING,
        retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
      }).producer({ createPartitioner: byRegion });
      clients.push(p);
      await p.connect();
      await p.send({ topic, messages, compression: ours.CompressionTypes.GZIP });
      reads.set(
        lib.name,
        (await consumeAll(lib, topic, messages.length)).map((m) => ({ ...m, timestamp: '' })),
      );
    }
    const theirs = reads.get('kafkajs')!;
    expect(theirs.filter((m) => m.partition === 0)).toHaveLength(4);
    expect(theirs.filter((m) => m.partition === 3)).toHaveLength(8);
    expect(reads.get('kstream')).toEqual(theirs);
  }, 45_000);

  it('eachBatchResolveOffsetCommitsWhatWasResolvedThroughAHandlerFailure', async () => {
    const outcomes = new Map<string, unknown>();
    for (const lib of LIBS) {
      const topic = produced.get('kafkajs')!;
      const groupId = topicName(`batch-${lib.name}`);
      const consumer = kafka(lib).consumer({ groupId, maxWaitTimeInMs: 100, retry: { retries: 5, initialRetryTime: 50, maxRetryTime: 200 } });
      clients.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const handled = new Set<string>();
      let failed = false;
      await consumer.run({
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
          for (const [i, message] of batch.messages.entries()) {
            // Fails once, half-way through the first batch: the resolved half stays done, the rest comes again.
            if (!failed && i === Math.floor(batch.messages.length / 2) && i > 0) {
              failed = true;
              throw new Error('handler failed once');
            }
            handled.add(`${batch.partition}@${message.offset}`);
            resolveOffset(message.offset);
          }
          await commitOffsetsIfNecessary();
        },
      });
      await waitFor(`${lib.name} to handle every message`, () => handled.size === keyed.length, 30_000);
      const a = await admin(lib);
      await waitFor(
        `${lib.name}'s commits to reach the end`,
        async () => {
          const [offsets] = await a.fetchOffsets({ groupId, topics: [topic] });
          const high = await a.fetchTopicOffsets(topic);
          return offsets!.partitions.every((p) => p.offset === high.find((h) => h.partition === p.partition)!.high);
        },
        15_000,
      );
      await consumer.disconnect();
      const [committed] = await a.fetchOffsets({ groupId, topics: [topic] });
      const description = await a.describeGroups([groupId]);
      outcomes.set(lib.name, {
        failed,
        committed: committed!.partitions.map(({ partition, offset }) => ({ partition, offset })).sort((x, y) => x.partition - y.partition),
        state: description.groups[0]!.state,
      });
    }
    expect(outcomes.get('kstream')).toEqual(outcomes.get('kafkajs'));
    expect(outcomes.get('kstream')).toMatchObject({ failed: true, state: 'Empty' });
  }, 60_000);

  it('adminAnswersInTheSameShapes: create twice, list, metadata, offsets, cluster, delete', async () => {
    const outcomes = new Map<string, unknown>();
    for (const lib of LIBS) {
      const a = await admin(lib);
      const topic = topicName(`admin-${lib.name}`);
      const created = await a.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 2 }] });
      const again = await a.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 2 }] });
      const listed = (await a.listTopics()).includes(topic);
      const { topics } = await a.fetchTopicMetadata({ topics: [topic] });
      const cluster = await a.describeCluster();
      const offsets = (await a.fetchTopicOffsets(topic)).sort((x, y) => x.partition - y.partition);
      await a.deleteTopics({ topics: [topic] });
      await waitFor(`${topic} to be gone`, async () => !(await a.listTopics()).includes(topic));
      outcomes.set(lib.name, {
        created,
        again,
        listed,
        partitions: topics[0]!.partitions
          .map((p) => ({
            partitionId: p.partitionId,
            errorCode: p.partitionErrorCode,
            replicas: p.replicas.length,
            isr: p.isr.length,
            leaderIsAReplica: p.replicas.includes(p.leader),
          }))
          .sort((x, y) => x.partitionId - y.partitionId),
        brokers: cluster.brokers.map((b) => b.nodeId).sort(),
        controllerIsABroker: cluster.brokers.some((b) => b.nodeId === cluster.controller),
        offsets,
      });
    }
    expect(outcomes.get('kafkajs')).toMatchObject({ created: true, again: false, listed: true });
    expect(outcomes.get('kstream')).toEqual(outcomes.get('kafkajs'));
  }, 45_000);

  it('errorsByName: the same KafkaJS* class, type and retriable flag from both', async () => {
    const outcomes = new Map<string, unknown>();
    type Described = { name: string; type?: string; retriable?: boolean; errors?: Described[] };
    const describe = (error: unknown): Described => {
      const e = error as { name: string; type?: string; retriable?: boolean; errors?: unknown[] };
      return { name: e.name, type: e.type, retriable: e.retriable, errors: e.errors?.map((inner) => describe(inner)) };
    };
    for (const lib of LIBS) {
      const errors = lib.name === 'kafkajs' ? kafkajs : ours;
      const a = await admin(lib);
      const topic = await createTopic(lib, 'errors', 2);
      const fewerPartitions = await a.createPartitions({ topicPartitions: [{ topic, count: 1 }] }).catch((e: unknown) => e);
      const tooManyReplicas = await a.createTopics({ topics: [{ topic: topicName('rf'), numPartitions: 1, replicationFactor: 4 }] }).catch((e: unknown) => e);
      const deleteUnknown = await a.deleteTopics({ topics: [topicName('never-created')] }).catch((e: unknown) => e);
      const offsetsOfUnknown = await a.fetchTopicOffsets(topicName('never-created')).catch((e: unknown) => e);
      expect(fewerPartitions).toBeInstanceOf(errors.KafkaJSProtocolError);
      expect(tooManyReplicas).toBeInstanceOf(errors.KafkaJSAggregateError);
      const p = await producer(lib);
      const badAcks = await p.send({ topic, acks: 7, messages: [{ value: 'v' }] }).catch((e: unknown) => e);
      const noValue = await p.send({ topic, messages: [{ key: 'k' } as ours.Message] }).catch((e: unknown) => e);
      // Whether the node's brokers support InitProducerId or not, both clients answer an idempotent producer's connect alike.
      const idempotent = kafka(lib).producer({ idempotent: true });
      clients.push(idempotent);
      const idempotentConnect = await idempotent.connect().then(
        () => ({ name: 'connected' }),
        (e: unknown) => describe(e),
      );
      outcomes.set(lib.name, {
        idempotentConnect,
        fewerPartitions: describe(fewerPartitions),
        deleteUnknown: describe(deleteUnknown),
        offsetsOfUnknown: describe(offsetsOfUnknown),
        tooManyReplicas: describe(tooManyReplicas),
        badAcksRejected: badAcks instanceof Error,
        noValue: describe(noValue),
      });
    }
    expect(outcomes.get('kafkajs')).toMatchObject({
      fewerPartitions: { name: 'KafkaJSProtocolError', type: 'INVALID_PARTITIONS' },
      tooManyReplicas: { name: 'KafkaJSAggregateError', errors: [{ name: 'KafkaJSCreateTopicError', type: 'INVALID_REPLICATION_FACTOR' }] },
      noValue: { name: 'KafkaJSNonRetriableError' },
    });
    expect(outcomes.get('kstream')).toEqual(outcomes.get('kafkajs'));
  }, 30_000);
});
