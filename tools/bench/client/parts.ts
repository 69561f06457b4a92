// The four parts of the client benchmark, each run on the node main.ts
// started: every client in its own child process, one after the other; each
// result checked against what the brokers stored before it counts.
import type { Figure } from '../harness.js';
import { median } from '../harness.js';
import { createTopic, deleteTopic, type BenchContext } from '../replication/bench-context.js';
import { runInChild, type NodeBinary } from './child.js';
import { kcatConsumeArgs, kcatConsumeRate, kcatProduceArgs, kcatProduceRate, type Kcat } from './kcat-ceiling.js';
import type { ClientName, ConsumeResult, EndToEndResult, ProduceJob, ProduceResult, RoundResult } from './messages.js';

export const PARTITIONS = 6;
export const VALUE_BYTES = 100;
const CHUNK = 1_000;
const IN_FLIGHT = 8;

export const LABELS: Readonly<Record<ClientName, string>> = { kstream: 'ours (@kstream/client)', kafkajs: 'kafkajs', platformatic: '@platformatic/kafka' };

export interface Sizes {
  readonly produceRecords: number;
  readonly produceWarmup: number;
  readonly produceRounds: number;
  readonly consumeRecords: number;
  readonly consumeRounds: number;
  readonly latencyRate: number;
  readonly latencyWarmupSeconds: number;
  readonly latencySeconds: number;
}

export interface PartContext {
  readonly bench: BenchContext;
  readonly sizes: Sizes;
  /** The clients to compare, ours first when it is built. */
  readonly clients: readonly ClientName[];
  readonly nodeFor: (client: ClientName) => NodeBinary;
  /** Where ours' children write CPU profiles of their jobs, if profiling. */
  readonly profileDir: string | undefined;
  readonly timeoutMs: number;
  /** kcat, for scale, when it is installed. */
  readonly kcat: Kcat | undefined;
}

export interface PartResult {
  readonly title: string;
  readonly figures: Figure[];
  /** How each client was driven (ClientDriver.description). */
  readonly described: Map<ClientName, string>;
  /** What the clients reported, each line naming the client and the part. */
  readonly notes: string[];
}

function newPartResult(title: string): PartResult {
  return { title, figures: [], described: new Map(), notes: [] };
}

function keepNotes(part: PartResult, partName: string, client: ClientName, result: { description: string; notes: readonly string[] }): void {
  part.described.set(client, result.description);
  part.notes.push(...result.notes.map((n) => `${LABELS[client]}, ${partName}: ${n}`));
}

function childOptions(context: PartContext, client: ClientName) {
  return { node: context.nodeFor(client), timeoutMs: context.timeoutMs, ...(client === 'kstream' && context.profileDir !== undefined ? { cpuProfileDir: context.profileDir } : {}) };
}

const perSecond = (rounds: readonly RoundResult[]) => rounds.map((r) => r.records / r.seconds);
const formatRate = (rate: number) => Math.round(rate).toLocaleString('en-US');

async function storedRecords(bench: BenchContext, topic: string): Promise<number> {
  const offsets = await bench.admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, o) => sum + Number(o.high), 0);
}

/** Runs a produce job into a new topic and checks the partitions' high watermarks add up to what the client acknowledged. */
async function produceChecked(context: PartContext, job: ProduceJob, replicationFactor: number): Promise<ProduceResult> {
  await createTopic(context.bench, { topic: job.topic, partitions: PARTITIONS, replicationFactor });
  const result = await runInChild<ProduceResult>(job, childOptions(context, job.client));
  const expected = job.warmupRecords + job.rounds * job.records;
  const stored = await storedRecords(context.bench, job.topic);
  if (result.acknowledged !== expected || stored !== expected) {
    throw new Error(`${LABELS[job.client]}: sent ${expected} records to ${job.topic}, ${result.acknowledged} acknowledged, the high watermarks add up to ${stored}`);
  }
  return result;
}

/** Ratio figures of ours against each baseline that ran, with the targets. */
function ratioFigures(rates: ReadonlyMap<ClientName, number>, targets: { kafkajs: number; platformatic: number }): Figure[] {
  const ours = rates.get('kstream');
  if (ours === undefined) return [];
  return (['kafkajs', 'platformatic'] as const).flatMap((baseline) => {
    const theirs = rates.get(baseline);
    return theirs === undefined ? [] : [{ name: `ours / ${LABELS[baseline]}`, value: ours / theirs, unit: 'x', target: { atLeast: targets[baseline] } }];
  });
}

interface ProducePart {
  readonly key: string;
  readonly title: string;
  readonly acks: 1 | -1;
  readonly idempotent: boolean;
  readonly replicationFactor: number;
  readonly clients: readonly ClientName[];
  readonly target: number;
  readonly ratioTargets?: { kafkajs: number; platformatic: number };
}

export async function producerPart(context: PartContext, part: ProducePart): Promise<PartResult> {
  const { sizes } = context;
  const title = `${part.title}, ${PARTITIONS} partitions, ${VALUE_BYTES} B values, send() of ${CHUNK} records x ${IN_FLIGHT} in flight: records/s, median of ${sizes.produceRounds} rounds of ${sizes.produceRecords.toLocaleString('en-US')} (after ${sizes.produceWarmup.toLocaleString('en-US')} warm-up)`;
  console.log(`\n${title}`);
  const rates = new Map<ClientName, number>();
  const out = newPartResult(title);
  for (const client of part.clients) {
    const node = context.nodeFor(client);
    const job: ProduceJob = {
      kind: 'produce', client, bootstrap: context.bench.cluster.bootstrap, topic: `client-${part.key}-${client}`, acks: part.acks, idempotent: part.idempotent,
      valueBytes: VALUE_BYTES, records: sizes.produceRecords, warmupRecords: sizes.produceWarmup, rounds: sizes.produceRounds, chunk: CHUNK, inFlight: IN_FLIGHT, numbered: false,
    };
    const result = await produceChecked(context, job, part.replicationFactor);
    await deleteTopic(context.bench, job.topic);
    const rate = median(perSecond(result.rounds));
    rates.set(client, rate);
    console.log(`  ${LABELS[client]} on node ${node.version}: ${formatRate(rate)} records/s; rounds ${perSecond(result.rounds).map(formatRate).join(', ')}; ${result.acknowledged.toLocaleString('en-US')} acknowledged = the high watermarks' sum`);
    keepNotes(out, part.key, client, result);
    out.figures.push({ name: `${LABELS[client]} (node ${node.version})`, value: rate, unit: 'records/s', ...(client === 'kstream' ? { target: { atLeast: part.target } } : {}) });
  }
  if (context.kcat !== undefined) {
    const topic = `client-${part.key}-kcat`;
    await createTopic(context.bench, { topic, partitions: PARTITIONS, replicationFactor: part.replicationFactor });
    const { rate, rates: kcatRates } = await kcatProduceRate(context.bench, topic, part.acks, sizes.produceRecords, VALUE_BYTES, sizes.produceRounds);
    await deleteTopic(context.bench, topic);
    console.log(`  ${context.kcat.label}, for scale: ${formatRate(rate)} records/s; rounds ${kcatRates.map(formatRate).join(', ')}; kcat ${kcatProduceArgs(context.bench.cluster.bootstrap, '<topic>', part.acks, '<file of 100 B lines>').join(' ')}`);
    out.figures.push({ name: `${context.kcat.label}, for scale`, value: rate, unit: 'records/s' });
  }
  if (part.ratioTargets !== undefined) out.figures.push(...ratioFigures(rates, part.ratioTargets));
  return out;
}

/**
 * Fills a new topic with numbered values for the consumer part and checks the
 * high watermarks. @platformatic/kafka fills it: fast, and not ours, so a
 * fault of ours in producing cannot shape what ours then reads.
 */
async function fillTopic(context: PartContext, topic: string): Promise<void> {
  const filler: ClientName = 'platformatic';
  const job: ProduceJob = {
    kind: 'produce', client: filler, bootstrap: context.bench.cluster.bootstrap, topic, acks: 1, idempotent: false,
    valueBytes: VALUE_BYTES, records: context.sizes.consumeRecords, warmupRecords: 0, rounds: 1, chunk: CHUNK, inFlight: IN_FLIGHT, numbered: true,
  };
  const result = await produceChecked(context, job, 1);
  console.log(`  filled ${topic} with ${context.sizes.consumeRecords.toLocaleString('en-US')} numbered records by ${LABELS[filler]} in ${result.rounds[0]!.seconds.toFixed(1)} s`);
}

export async function consumerPart(context: PartContext): Promise<PartResult> {
  const { sizes } = context;
  const title = `consumer reading ${sizes.consumeRecords.toLocaleString('en-US')} records from the beginning, ${PARTITIONS} partitions RF 1, ${VALUE_BYTES} B values: records/s from the first record to the last, median of ${sizes.consumeRounds} rounds (a new consumer each)`;
  console.log(`\n${title}`);
  const topic = 'client-consume';
  await fillTopic(context, topic);
  const rates = new Map<ClientName, number>();
  const out = newPartResult(title);
  for (const client of context.clients) {
    const node = context.nodeFor(client);
    const result = await runInChild<ConsumeResult>(
      { kind: 'consume', client, bootstrap: context.bench.cluster.bootstrap, topic, partitions: PARTITIONS, records: sizes.consumeRecords, valueBytes: VALUE_BYTES, rounds: sizes.consumeRounds, groupPrefix: `bench-consume-${client}` },
      childOptions(context, client),
    );
    const rate = median(perSecond(result.rounds));
    rates.set(client, rate);
    console.log(`  ${LABELS[client]} on node ${node.version}: ${formatRate(rate)} records/s; rounds ${perSecond(result.rounds).map(formatRate).join(', ')}; every round read each of the ${sizes.consumeRecords.toLocaleString('en-US')} numbered values once`);
    keepNotes(out, 'consumer', client, result);
    out.figures.push({ name: `${LABELS[client]} (node ${node.version})`, value: rate, unit: 'records/s', ...(client === 'kstream' ? { target: { atLeast: 2_000_000 } } : {}) });
  }
  if (context.kcat !== undefined) {
    const { rate, rates: kcatRates } = await kcatConsumeRate(context.bench, topic, sizes.consumeRecords, sizes.consumeRounds);
    console.log(`  ${context.kcat.label}, for scale: ${formatRate(rate)} records/s; rounds ${kcatRates.map(formatRate).join(', ')}; kcat ${kcatConsumeArgs(context.bench.cluster.bootstrap, topic).join(' ')} | wc -l`);
    out.figures.push({ name: `${context.kcat.label}, for scale`, value: rate, unit: 'records/s' });
  }
  await deleteTopic(context.bench, topic);
  out.figures.push(...ratioFigures(rates, { kafkajs: 3, platformatic: 1.5 }));
  return out;
}

export async function latencyPart(context: PartContext, clients: readonly ClientName[]): Promise<PartResult> {
  const { sizes } = context;
  const title = `end-to-end latency at ${sizes.latencyRate.toLocaleString('en-US')} records/s, acks=all RF 3, ${PARTITIONS} partitions, ${VALUE_BYTES} B values, producer and consumer in one process: send() call -> record handed over, ${sizes.latencySeconds} s measured after >= ${sizes.latencyWarmupSeconds} s warm-up`;
  console.log(`\n${title}`);
  const out = newPartResult(title);
  const results = new Map<ClientName, EndToEndResult>();
  for (const client of clients) {
    const node = context.nodeFor(client);
    const topic = `client-latency-${client}`;
    await createTopic(context.bench, { topic, partitions: PARTITIONS, replicationFactor: 3 });
    const result = await runInChild<EndToEndResult>(
      { kind: 'e2e', client, bootstrap: context.bench.cluster.bootstrap, topic, partitions: PARTITIONS, valueBytes: VALUE_BYTES, ratePerSecond: sizes.latencyRate, warmupSeconds: sizes.latencyWarmupSeconds, seconds: sizes.latencySeconds, groupId: `bench-latency-${client}` },
      childOptions(context, client),
    );
    await deleteTopic(context.bench, topic);
    results.set(client, result);
    console.log(`  ${LABELS[client]} on node ${node.version}: p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, p99.9 ${result.p999Ms.toFixed(2)} ms, max ${result.maxMs.toFixed(2)} ms (send() -> acknowledged: p50 ${result.ackP50Ms.toFixed(2)} ms, p99 ${result.ackP99Ms.toFixed(2)} ms); ${result.received.toLocaleString('en-US')} of ${result.sent.toLocaleString('en-US')} records received; sent at ${formatRate(result.sent / result.seconds)} records/s, at most ${result.maxBehindMs.toFixed(1)} ms behind the schedule`);
    keepNotes(out, 'e2e', client, result);
  }
  const ours = results.get('kstream');
  for (const [client, result] of results) {
    if (client === 'kstream') continue;
    const name = `${LABELS[client]} (node ${context.nodeFor(client).version})`;
    out.figures.push({ name: `${name} p50`, value: result.p50Ms, unit: 'ms' }, { name: `${name} p99`, value: result.p99Ms, unit: 'ms' }, { name: `${name} p99.9`, value: result.p999Ms, unit: 'ms' });
  }
  if (ours !== undefined) {
    const name = `${LABELS.kstream} (node ${context.nodeFor('kstream').version})`;
    out.figures.push({ name: `${name} p50`, value: ours.p50Ms, unit: 'ms' }, { name: `${name} p99`, value: ours.p99Ms, unit: 'ms', target: { atMost: 5 } }, { name: `${name} p99.9`, value: ours.p999Ms, unit: 'ms' });
  }
  return out;
}
