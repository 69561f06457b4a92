// The producer figures: each client produces into a topic of its own (new,
// 6 partitions) in its own child; its acknowledged count must equal the
// partitions' high watermarks' sum afterwards. kcat follows for scale.
import { median } from '../harness.js';
import { createTopic, deleteTopic } from '../replication/bench-context.js';
import { runInChild } from './child.js';
import { kcatProduceArgs, kcatProduceRate } from './kcat-ceiling.js';
import type { ClientName, ProduceJob, ProduceResult } from './messages.js';
import {
  attempt, CHUNK, childOptions, formatRate, IN_FLIGHT, keepNotes, LABELS, newPartResult, PARTITIONS, perSecond, ratioFigures, storedRecords, VALUE_BYTES,
  type PartContext, type PartResult,
} from './part-context.js';

/** Runs a produce job into a new topic and checks the partitions' high watermarks add up to what the client acknowledged. */
export async function produceChecked(context: PartContext, job: ProduceJob, replicationFactor: number): Promise<ProduceResult> {
  await createTopic(context.bench, { topic: job.topic, partitions: PARTITIONS, replicationFactor });
  const result = await runInChild<ProduceResult>(job, childOptions(context, job.client));
  const expected = job.warmupRecords + job.rounds * job.records;
  const stored = await storedRecords(context.bench, job.topic);
  if (result.acknowledged !== expected || stored !== expected) {
    throw new Error(`${LABELS[job.client]}: sent ${expected} records to ${job.topic}, ${result.acknowledged} acknowledged, the high watermarks add up to ${stored}`);
  }
  return result;
}

export interface ProducePart {
  readonly key: string;
  readonly title: string;
  readonly acks: 1 | -1;
  readonly idempotent: boolean;
  readonly replicationFactor: number;
  readonly target: number;
  readonly ratioTargets?: { kafkajs: number; platformatic: number };
}

export async function producerPart(context: PartContext, part: ProducePart): Promise<PartResult> {
  const { sizes, bench } = context;
  const out = newPartResult(
    `${part.title}, ${PARTITIONS} partitions, ${VALUE_BYTES} B values, send() of ${CHUNK} records x ${IN_FLIGHT} in flight: records/s, ` +
      `median of ${sizes.produceRounds} rounds of ${sizes.produceRecords.toLocaleString('en-US')} (after ${sizes.produceWarmup.toLocaleString('en-US')} warm-up)`,
  );
  const rates = new Map<ClientName, number>();
  for (const client of context.clients) {
    const node = context.nodeFor(client);
    const job: ProduceJob = {
      kind: 'produce', client, bootstrap: bench.cluster.bootstrap, topic: `client-${part.key}-${client}`, acks: part.acks, idempotent: part.idempotent,
      valueBytes: VALUE_BYTES, records: sizes.produceRecords, warmupRecords: sizes.produceWarmup, rounds: sizes.produceRounds, chunk: CHUNK, inFlight: IN_FLIGHT, numbered: false,
    };
    const result = await attempt(out, `${LABELS[client]}, ${part.key}`, () => produceChecked(context, job, part.replicationFactor));
    if (result === undefined) continue;
    await deleteTopic(bench, job.topic);
    const rate = median(perSecond(result.rounds));
    rates.set(client, rate);
    console.log(`  ${LABELS[client]} on node ${node.version}: ${formatRate(rate)} records/s; rounds ${perSecond(result.rounds).map(formatRate).join(', ')}; ${result.acknowledged.toLocaleString('en-US')} acknowledged = the high watermarks' sum`);
    keepNotes(out, part.key, client, result);
    out.figures.push({ name: `${LABELS[client]} (node ${node.version})`, value: rate, unit: 'records/s', ...(client === 'kstream' ? { target: { atLeast: part.target } } : {}) });
  }
  const { kcat } = context;
  if (kcat !== undefined) {
    const topic = `client-${part.key}-kcat`;
    const measured = await attempt(out, `${kcat.label}, ${part.key}`, async () => {
      await createTopic(bench, { topic, partitions: PARTITIONS, replicationFactor: part.replicationFactor });
      return kcatProduceRate(bench, topic, part.acks, sizes.produceRecords, VALUE_BYTES, sizes.produceRounds);
    });
    if (measured !== undefined) {
      await deleteTopic(bench, topic);
      console.log(`  ${kcat.label}, for scale: ${formatRate(measured.rate)} records/s; rounds ${measured.rates.map(formatRate).join(', ')}; kcat ${kcatProduceArgs(bench.cluster.bootstrap, '<topic>', part.acks, '<file of 100 B lines>').join(' ')}`);
      out.figures.push({ name: `${kcat.label}, for scale`, value: measured.rate, unit: 'records/s' });
    }
  }
  if (part.ratioTargets !== undefined) out.figures.push(...ratioFigures(rates, part.ratioTargets));
  return out;
}
