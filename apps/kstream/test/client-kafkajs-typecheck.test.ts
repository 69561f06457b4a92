// A kafkajs-typed program compiles against @kstream/client/kafkajs: the
// program below is first compiled against kafkajs 2.2.4's own types (so it
// is a fair kafkajs program), then with its import switched to our entry,
// which is all a kafkajs user changes. A second program holds calls kafkajs
// rejects; each must fail against our types too. One tsc run checks all four.
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = resolve(appDir, '../..');
const workDir = join(appDir, 'tmp', `client-kafkajs-typecheck-${process.pid}`);

const PROGRAM = `
import {
  Kafka, logLevel, CompressionTypes, Partitioners, PartitionAssigners, AssignerProtocol, ConfigResourceTypes,
  KafkaJSError, KafkaJSProtocolError, KafkaJSNumberOfRetriesExceeded, KafkaJSConnectionError, KafkaJSNonRetriableError,
  KafkaJSOffsetOutOfRange, KafkaJSAggregateError, KafkaJSRequestTimeoutError,
} from 'MODULE';
import type {
  KafkaConfig, ProducerConfig, ConsumerConfig, ProducerRecord, Message, RecordMetadata, EachMessagePayload, EachBatchPayload,
  Consumer, Producer, Admin, ITopicConfig, KafkaMessage, Batch, IHeaders, logCreator, LogEntry, ConsumerGroupJoinEvent,
  GroupDescription, TopicPartitionOffsetAndMetadata, ConsumerRunConfig, EachMessageHandler, ProducerBatch, SeekEntry, Logger,
  ConsumerCrashEvent, InstrumentationEvent, RetryOptions, BrokersFunction, PartitionerArgs, ICustomPartitioner, SASLOptions,
} from 'MODULE';

// Named only: a program may keep its SASL settings typed while they wait for the client to support them.
const sasl: SASLOptions | undefined = process.env['KAFKA_USER'] ? { mechanism: 'scram-sha-512', username: 'u', password: 'p' } : undefined;
console.log(sasl?.mechanism);

const creator: logCreator = (level: logLevel) => (entry: LogEntry) => {
  if (entry.level <= level) console.log(entry.namespace, entry.label, entry.log.message);
};
const brokers: BrokersFunction = async () => ['127.0.0.1:9092'];
const retry: RetryOptions = { retries: 8, initialRetryTime: 100, maxRetryTime: 5000, multiplier: 2, factor: 0.2 };
const config: KafkaConfig = { clientId: 'app', brokers, connectionTimeout: 3000, requestTimeout: 25000, retry, logLevel: logLevel.WARN, logCreator: creator };
const kafka = new Kafka(config);
const log: Logger = kafka.logger();
log.info('started', { pid: 1 });

const byRegion: ICustomPartitioner = () => ({ partitionMetadata, message }: PartitionerArgs) =>
  message.key === 'eu' ? 0 : partitionMetadata.length - 1;
const producerConfig: ProducerConfig = { idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner };
const producer: Producer = kafka.producer(producerConfig);
kafka.producer({ createPartitioner: byRegion });
kafka.producer({ createPartitioner: Partitioners.LegacyPartitioner });

async function produce(): Promise<void> {
  await producer.connect();
  const headers: IHeaders = { 'trace-id': 'abc', tags: ['a', Buffer.from('b')] };
  const messages: Message[] = [{ key: 'k', value: JSON.stringify({ n: 1 }), headers, timestamp: Date.now().toString() }, { value: null, partition: 2 }];
  const record: ProducerRecord = { topic: 'orders', messages, acks: -1, timeout: 30000, compression: CompressionTypes.GZIP };
  const sent: RecordMetadata[] = await producer.send(record);
  const offsets: (string | undefined)[] = sent.map((m) => m.baseOffset);
  const batch: ProducerBatch = { topicMessages: [{ topic: 'a', messages }, { topic: 'b', messages }], acks: 1 };
  const all = await producer.sendBatch(batch);
  console.log(offsets, all.length, producer.isIdempotent());
  const off = producer.on(producer.events.CONNECT, (e) => console.log(e.timestamp));
  off();
  await producer.disconnect();
}

const consumerConfig: ConsumerConfig = {
  groupId: 'billing', sessionTimeout: 30000, heartbeatInterval: 3000, rebalanceTimeout: 60000, maxBytesPerPartition: 1048576,
  minBytes: 1, maxBytes: 10485760, maxWaitTimeInMs: 500, readUncommitted: false, partitionAssigners: [PartitionAssigners.roundRobin],
  retry: { retries: 3, restartOnFailure: async (e: Error) => e.name !== 'KafkaJSNonRetriableError' },
};
const consumer: Consumer = kafka.consumer(consumerConfig);

const eachMessage: EachMessageHandler = async ({ topic, partition, message, heartbeat, pause }: EachMessagePayload) => {
  const m: KafkaMessage = message;
  const key: string | undefined = m.key?.toString();
  const offset: bigint = BigInt(m.offset);
  const when: number = Number(m.timestamp);
  const trace = m.headers?.['trace-id']?.toString();
  if (offset % 100n === 0n) await heartbeat();
  if (key === 'stop') {
    const resume = pause();
    setTimeout(resume, 1000);
  }
  console.log(topic, partition, key, when, trace);
};

async function eachBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, uncommittedOffsets, isRunning, isStale }: EachBatchPayload): Promise<void> {
  const b: Batch = batch;
  for (const message of b.messages) {
    if (!isRunning() || isStale()) break;
    resolveOffset(message.offset);
    await heartbeat();
  }
  const lag: string = b.offsetLag();
  const first: string | null = b.firstOffset();
  console.log(lag, first, b.lastOffset(), b.highWatermark, b.isEmpty(), uncommittedOffsets().topics.length);
  await commitOffsetsIfNecessary();
}

async function consume(): Promise<void> {
  await consumer.connect();
  await consumer.subscribe({ topics: ['orders', /^audit-/], fromBeginning: true });
  await consumer.subscribe({ topic: 'legacy' });
  consumer.on(consumer.events.GROUP_JOIN, (e: ConsumerGroupJoinEvent) => console.log(e.payload.memberId, e.payload.leaderId, e.payload.memberAssignment));
  consumer.on(consumer.events.CRASH, (e: ConsumerCrashEvent) => console.log(e.payload.error.message, e.payload.restart));
  consumer.on(consumer.events.FETCH, (e: InstrumentationEvent<{ numberOfBatches: number }>) => console.log(e.payload.numberOfBatches));
  const runConfig: ConsumerRunConfig = { autoCommit: true, autoCommitInterval: 5000, autoCommitThreshold: 100, partitionsConsumedConcurrently: 3, eachMessage };
  await consumer.run(runConfig);
  await consumer.run({ eachBatchAutoResolve: false, eachBatch });
  consumer.seek({ topic: 'orders', partition: 0, offset: '42' });
  consumer.pause([{ topic: 'orders' }, { topic: 'audit-1', partitions: [0, 1] }]);
  const paused: { topic: string; partitions: number[] }[] = consumer.paused();
  consumer.resume(paused);
  const commits: TopicPartitionOffsetAndMetadata[] = [{ topic: 'orders', partition: 0, offset: '43', metadata: null }];
  await consumer.commitOffsets(commits);
  const group: GroupDescription = await consumer.describeGroup();
  const assigned = group.members.map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment);
  console.log(group.state, assigned);
  await consumer.stop();
  await consumer.disconnect();
}

async function administer(): Promise<void> {
  const admin: Admin = kafka.admin({ retry: { retries: 2 } });
  await admin.connect();
  const topics: ITopicConfig[] = [{ topic: 'orders', numPartitions: 6, replicationFactor: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }];
  const created: boolean = await admin.createTopics({ topics, waitForLeaders: true, timeout: 10000 });
  const names: string[] = await admin.listTopics();
  const metadata = await admin.fetchTopicMetadata({ topics: ['orders'] });
  const leaders: number[] = metadata.topics[0]!.partitions.map((p) => p.leader);
  await admin.createPartitions({ topicPartitions: [{ topic: 'orders', count: 12 }] });
  const committed = await admin.fetchOffsets({ groupId: 'billing', topics: ['orders'] });
  const seek: SeekEntry[] = committed[0]!.partitions.map(({ partition }) => ({ partition, offset: '0' }));
  await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: seek });
  await admin.resetOffsets({ groupId: 'billing', topic: 'orders', earliest: true });
  const high = (await admin.fetchTopicOffsets('orders')).map((o) => [o.low, o.high, o.offset]);
  const byTime = await admin.fetchTopicOffsetsByTimestamp('orders', Date.now() - 60000);
  const cluster = await admin.describeCluster();
  const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'orders' }] });
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'orders', configEntries: [{ name: 'retention.ms', value: '1000' }] }] });
  const groups = await admin.listGroups();
  const described = await admin.describeGroups(groups.groups.map((g) => g.groupId));
  await admin.deleteGroups(['old']);
  await admin.deleteTopicRecords({ topic: 'orders', partitions: [{ partition: 0, offset: '-1' }] });
  await admin.deleteTopics({ topics: ['orders'], timeout: 5000 });
  console.log(created, names, leaders, high, byTime, cluster.controller, configs.resources[0]!.configEntries, described.groups[0]?.members);
  await admin.disconnect();
}

function classify(e: unknown): string {
  if (e instanceof KafkaJSNumberOfRetriesExceeded) return 'retries ' + e.retryCount;
  if (e instanceof KafkaJSOffsetOutOfRange) return e.topic + e.partition;
  if (e instanceof KafkaJSProtocolError) return e.type + e.code;
  if (e instanceof KafkaJSConnectionError) return 'connection ' + e.broker;
  if (e instanceof KafkaJSRequestTimeoutError) return 'timeout';
  if (e instanceof KafkaJSNonRetriableError) return 'fatal';
  if (e instanceof KafkaJSAggregateError) return e.errors.length + ' errors';
  if (e instanceof KafkaJSError) return e.retriable ? 'retry' : 'give up';
  return 'other';
}

void Promise.all([produce(), consume(), administer()]).catch((e: unknown) => console.error(classify(e)));
`;

// Calls kafkajs's types reject; ours must reject each of them too. Each
// sits under @ts-expect-error, so a call that compiles fails the check.
const WRONG_CALLS = [
  `kafka.producer().send({ topic: 'orders', messages: [{ key: 'k' }] });`,
  `kafka.producer().send({ topic: 'orders', messages: [{ value: 1 }] });`,
  `kafka.consumer({});`,
  `kafka.consumer({ groupId: 'g' }).seek({ topic: 'orders', partition: 0, offset: 42 });`,
  `kafka.admin().createTopics({ topics: [{ name: 'orders' }] });`,
  `kafka.consumer({ groupId: 'g' }).run({ eachMessage: async ({ message }) => { const n: number = message.offset; console.log(n); } });`,
];

const WRONG = `import { Kafka } from 'MODULE';
const kafka = new Kafka({ brokers: ['b:9092'] });
${WRONG_CALLS.map((call) => `// @ts-expect-error\n${call}`).join('\n')}
`;

const FILES = {
  'program-kafkajs.ts': PROGRAM.replaceAll('MODULE', 'kafkajs'),
  'program-ours.ts': PROGRAM.replaceAll('MODULE', '@kstream/client/kafkajs'),
  'wrong-kafkajs.ts': WRONG.replaceAll('MODULE', 'kafkajs'),
  'wrong-ours.ts': WRONG.replaceAll('MODULE', '@kstream/client/kafkajs'),
};

/** One tsc run over every file (tsc is slow to start, and the machine is shared); its diagnostics by file. */
async function typecheck(): Promise<Map<string, string[]>> {
  await mkdir(workDir, { recursive: true });
  for (const [name, source] of Object.entries(FILES)) await writeFile(join(workDir, name), source);
  await writeFile(
    join(workDir, 'tsconfig.json'),
    JSON.stringify({ extends: join(repoDir, 'tsconfig.base.json'), compilerOptions: { noEmit: true, noUnusedLocals: false }, files: Object.keys(FILES) }),
  );
  const tsc = join(repoDir, 'node_modules', 'typescript', 'bin', 'tsc');
  let output = '';
  try {
    await run(process.execPath, [tsc, '-p', join(workDir, 'tsconfig.json'), '--pretty', 'false'], { cwd: workDir });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  const byFile = new Map<string, string[]>(Object.keys(FILES).map((name) => [name, []]));
  for (const line of output.split('\n').filter((l) => l.includes('error TS'))) {
    const file = Object.keys(FILES).find((name) => line.startsWith(name)) ?? 'elsewhere';
    byFile.set(file, [...(byFile.get(file) ?? []), line]);
  }
  return byFile;
}

describe('@kstream/client/kafkajs types', () => {
  let diagnostics: Map<string, string[]>;

  beforeAll(async () => {
    diagnostics = await typecheck();
  }, 180_000);

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('aKafkajsProgramCompilesAgainstOurEntry: the same source against kafkajs and against @kstream/client/kafkajs', () => {
    expect(diagnostics.get('program-kafkajs.ts'), 'the program is a valid kafkajs program').toEqual([]);
    expect(diagnostics.get('program-ours.ts'), 'it compiles against our entry').toEqual([]);
    expect(diagnostics.get('elsewhere') ?? []).toEqual([]);
  });

  it('wrongCallsFailToCompile: each call kafkajs rejects, ours rejects', () => {
    expect(diagnostics.get('wrong-kafkajs.ts'), 'kafkajs rejects every one').toEqual([]);
    expect(diagnostics.get('wrong-ours.ts'), 'ours rejects every one').toEqual([]);
  });
});
