// The producer figures: each client produces into a topic of its own (new,
// 6 partitions), one round per child, the clients taking turns round by
// round; each child's acknowledged count must equal how far the partitions'
// high watermarks moved. kcat follows for scale.
import { median } from '../harness.js';
import { createTopic, deleteTopic } from '../replication/bench-context.js';
import { runInChild } from './child.js';
import { kcatProduceArgs, kcatProduceRate } from './kcat-ceiling.js';
import type { ClientName, ProduceJob, ProduceResult, RoundResult } from './messages.js';
import {
  attempt,
  CHUNK,
  childOptions,
  formatRate,
  IN_FLIGHT,
  keepNotes,
  LABELS,
  newPartResult,
  PARTITIONS,
  perSecond,
  ratioFigures,
  roundOrder,
  storedRecords,
  VALUE_BYTES,
  type ChildContext,
  type PartContext,
  type PartResult,
} from './part-context.js';

/**
 * Runs a produce job in a child and checks that the partitions' high
 * watermarks moved by exactly what the client acknowledged, and that it
 * acknowledged every record it sent.
 */
export async function produceChecked(context: ChildContext, job: ProduceJob): Promise<ProduceResult> {
  const before = await storedRecords(context.bench, job.topic);
  const result = await runInChild<ProduceResult>(job, childOptions(context, job.client));
  const expected = job.warmupRecords + job.rounds * job.records;
  const stored = (await storedRecords(context.bench, job.topic)) - before;
  if (result.acknowledged !== expected || stored !== expected) {
    throw new Error(`${LABELS[job.client]}: sent ${expected} records to ${job.topic}, ${result.acknowledged} acknowledged, the high watermarks moved by ${stored}`);
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
      `median of ${sizes.produceRounds} rounds of ${sizes.produceRecords.toLocaleString('en-US')}, a child each, after ${sizes.produceWarmup.toLocaleString('en-US')} records of warm-up`,
  );
  const rounds = new Map<ClientName, RoundResult[]>(context.clients.map((client) => [client, []]));
  const idempotence = new Map<ClientName, boolean | null>();
  const topic = (client: ClientName) => `client-${part.key}-${client}`;
  for (const client of context.clients) await createTopic(bench, { topic: topic(client), partitions: PARTITIONS, replicationFactor: part.replicationFactor });
  for (let round = 0; round < sizes.produceRounds; round++) {
    for (const client of roundOrder([...rounds.keys()], round)) {
      const job: ProduceJob = {
        kind: 'produce',
        client,
        bootstrap: bench.cluster.bootstrap,
        topic: topic(client),
        acks: part.acks,
        idempotent: part.idempotent,
        valueBytes: VALUE_BYTES,
        records: sizes.produceRecords,
        warmupRecords: sizes.produceWarmup,
        rounds: 1,
        chunk: CHUNK,
        inFlight: IN_FLIGHT,
        numbered: false,
      };
      const result = await attempt(out, `${LABELS[client]}, ${part.key}, round ${round + 1}`, () => produceChecked(context, job));
      if (result === undefined) {
        rounds.delete(client);
        continue;
      }
      rounds.get(client)!.push(...result.rounds);
      idempotence.set(client, result.idempotent);
      keepNotes(out, part.key, client, result);
    }
  }
  const rates = new Map<ClientName, number>();
  for (const [client, done] of rounds) {
    await deleteTopic(bench, topic(client));
    const node = context.nodeFor(client);
    const rate = median(perSecond(done));
    rates.set(client, rate);
    // What ran, when idempotence was asked for and the client says whether it could turn it on.
    const ran = part.idempotent ? idempotence.get(client) : null;
    const mode = ran === true ? ', idempotent' : ran === false ? ', idempotence off' : '';
    console.log(
      `  ${LABELS[client]} on node ${node.version}${ran === false ? ', idempotence OFF (it was asked for; the client found no InitProducerId on the brokers)' : mode}: ${formatRate(rate)} records/s; rounds ${perSecond(done).map(formatRate).join(', ')}; each child's acknowledged count = the high watermarks' move`,
    );
    out.figures.push({
      name: `${LABELS[client]} (node ${node.version})${mode}`,
      value: rate,
      unit: 'records/s',
      ...(client === 'kstream' ? { target: { atLeast: part.target } } : {}),
    });
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
      console.log(
        `  ${kcat.label}, for scale: ${formatRate(measured.rate)} records/s; rounds ${measured.rates.map(formatRate).join(', ')}; kcat ${kcatProduceArgs(bench.cluster.bootstrap, '<topic>', part.acks, '<file of 100 B lines>').join(' ')}`,
      );
      out.figures.push({ name: `${kcat.label}, for scale`, value: measured.rate, unit: 'records/s' });
    }
  }
  if (part.ratioTargets !== undefined) out.figures.push(...ratioFigures(rates, part.ratioTargets));
  return out;
}
