// The consumer figures: a topic of numbered records (6 partitions, RF 1) read
// from the beginning, one round per child (a new consumer each), the clients
// taking turns round by round; consume-run.ts checks every record is read
// once. kcat follows for scale.
import { median } from '../harness.js';
import { createTopic, deleteTopic } from '../replication/bench-context.js';
import { runInChild } from './child.js';
import { kcatConsumeArgs, kcatConsumeRate } from './kcat-ceiling.js';
import type { ClientName, ConsumeResult, ProduceJob, RoundResult } from './messages.js';
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
  VALUE_BYTES,
  type PartContext,
  type PartResult,
} from './part-context.js';
import { produceChecked } from './producer-part.js';

const TOPIC = 'client-consume';

/**
 * Fills a new topic with numbered values and checks the high watermarks.
 * @platformatic/kafka fills it: fast, and not ours, so a fault of ours in
 * producing cannot shape what ours then reads.
 */
async function fillTopic(context: PartContext): Promise<void> {
  const filler: ClientName = 'platformatic';
  const job: ProduceJob = {
    kind: 'produce',
    client: filler,
    bootstrap: context.bench.cluster.bootstrap,
    topic: TOPIC,
    acks: 1,
    idempotent: false,
    valueBytes: VALUE_BYTES,
    records: context.sizes.consumeRecords,
    warmupRecords: 0,
    rounds: 1,
    chunk: CHUNK,
    inFlight: IN_FLIGHT,
    numbered: true,
  };
  await createTopic(context.bench, { topic: TOPIC, partitions: PARTITIONS, replicationFactor: 1 });
  const result = await produceChecked(context, job);
  console.log(`  filled ${TOPIC} with ${context.sizes.consumeRecords.toLocaleString('en-US')} numbered records by ${LABELS[filler]} in ${result.rounds[0]!.seconds.toFixed(1)} s`);
}

export async function consumerPart(context: PartContext): Promise<PartResult> {
  const { sizes, bench } = context;
  const out = newPartResult(
    `consumer reading ${sizes.consumeRecords.toLocaleString('en-US')} records from the beginning, ${PARTITIONS} partitions RF 1, ${VALUE_BYTES} B values: ` +
      `records/s from the first record to the last, median of ${sizes.consumeRounds} rounds, a new consumer in a child each`,
  );
  // Without the topic there is nothing to read: a failed fill fails the part.
  await fillTopic(context);
  const rounds = new Map<ClientName, RoundResult[]>(context.clients.map((client) => [client, []]));
  for (let round = 0; round < sizes.consumeRounds; round++) {
    for (const client of roundOrder([...rounds.keys()], round)) {
      const result = await attempt(out, `${LABELS[client]}, consumer, round ${round + 1}`, () =>
        runInChild<ConsumeResult>(
          {
            kind: 'consume',
            client,
            bootstrap: bench.cluster.bootstrap,
            topic: TOPIC,
            records: sizes.consumeRecords,
            valueBytes: VALUE_BYTES,
            rounds: 1,
            groupPrefix: `bench-consume-${client}-${round}`,
          },
          childOptions(context, client),
        ),
      );
      if (result === undefined) {
        rounds.delete(client);
        continue;
      }
      rounds.get(client)!.push(...result.rounds);
      keepNotes(out, 'consumer', client, result);
    }
  }
  const rates = new Map<ClientName, number>();
  for (const [client, done] of rounds) {
    const node = context.nodeFor(client);
    const rate = median(perSecond(done));
    rates.set(client, rate);
    console.log(
      `  ${LABELS[client]} on node ${node.version}: ${formatRate(rate)} records/s; rounds ${perSecond(done).map(formatRate).join(', ')}; every round read each of the ${sizes.consumeRecords.toLocaleString('en-US')} numbered values once`,
    );
    out.figures.push({ name: `${LABELS[client]} (node ${node.version})`, value: rate, unit: 'records/s', ...(client === 'kstream' ? { target: { atLeast: 2_000_000 } } : {}) });
  }
  const { kcat } = context;
  if (kcat !== undefined) {
    const measured = await attempt(out, `${kcat.label}, consumer`, () => kcatConsumeRate(bench, TOPIC, sizes.consumeRecords, sizes.consumeRounds));
    if (measured !== undefined) {
      console.log(
        `  ${kcat.label}, for scale: ${formatRate(measured.rate)} records/s; rounds ${measured.rates.map(formatRate).join(', ')}; kcat ${kcatConsumeArgs(bench.cluster.bootstrap, TOPIC).join(' ')} | wc -l`,
      );
      out.figures.push({ name: `${kcat.label}, for scale`, value: measured.rate, unit: 'records/s' });
    }
  }
  await deleteTopic(bench, TOPIC);
  out.figures.push(...ratioFigures(rates, { kafkajs: 3, platformatic: 1.5 }));
  return out;
}
