// Idempotent beside plain: each client produces acks=all into RF 3 topics
// (new, 6 partitions) with idempotence off and on, one round per child
// (the client benchmark's produce job and worker), the clients and the two
// modes taking turns round by round. Each child's acknowledged count must
// equal how far the partitions' high watermarks moved (produceChecked), and
// an idempotent run must say idempotence was on. Ours must stay within 10%
// of plain: the ratio figure's target.
import { median, type Figure } from '../harness.js';
import type { ProduceJob, RoundResult } from '../client/messages.js';
import { CHUNK, IN_FLIGHT, LABELS, PARTITIONS, VALUE_BYTES, attempt, formatRate, newPartResult, perSecond, roundOrder, type PartResult } from '../client/part-context.js';
import { produceChecked } from '../client/producer-part.js';
import { createTopic, deleteTopic } from '../replication/bench-context.js';
import type { EosContext } from './eos-context.js';
import type { TxnClient } from './messages.js';

const MODES = ['plain', 'idempotent'] as const;
type Mode = (typeof MODES)[number];

/** Ours, idempotent, at least this fraction of plain (the "within 10%"). */
const IDEMPOTENT_RATIO_TARGET = 0.9;

export async function idempotencePart(context: EosContext): Promise<PartResult> {
  const { sizes, bench } = context;
  const out = newPartResult(
    `idempotent beside plain producer, acks=all RF 3, ${PARTITIONS} partitions, ${VALUE_BYTES} B values, send() of ${CHUNK} records x ${IN_FLIGHT} in flight: records/s, ` +
      `median of ${sizes.produceRounds} rounds of ${sizes.produceRecords.toLocaleString('en-US')}, a child each, after ${sizes.produceWarmup.toLocaleString('en-US')} records of warm-up`,
  );
  const runs = context.clients.flatMap((client) => MODES.map((mode) => ({ client, mode })));
  const rounds = new Map(runs.map((run) => [`${run.client} ${run.mode}`, [] as RoundResult[]]));
  const topic = (client: TxnClient, mode: Mode) => `eos-${mode}-${client}`;
  for (const { client, mode } of runs) await createTopic(bench, { topic: topic(client, mode), partitions: PARTITIONS, replicationFactor: 3 });
  for (let round = 0; round < sizes.produceRounds; round++) {
    for (const { client, mode } of roundOrder(runs, round)) {
      const key = `${client} ${mode}`;
      if (!rounds.has(key)) continue;
      const job: ProduceJob = {
        kind: 'produce',
        client,
        bootstrap: bench.cluster.bootstrap,
        topic: topic(client, mode),
        acks: -1,
        idempotent: mode === 'idempotent',
        valueBytes: VALUE_BYTES,
        records: sizes.produceRecords,
        warmupRecords: sizes.produceWarmup,
        rounds: 1,
        chunk: CHUNK,
        inFlight: IN_FLIGHT,
        numbered: false,
      };
      const result = await attempt(out, `${LABELS[client]}, ${mode}, round ${round + 1}`, async () => {
        const produced = await produceChecked(context, job);
        // Ours says what ran; kafkajs does not (null), and fails its connect when it cannot be idempotent.
        if (produced.idempotent === !job.idempotent) throw new Error(`asked idempotent ${job.idempotent}, the producer ran with idempotence ${produced.idempotent ? 'on' : 'off'}`);
        out.described.set(client, produced.description);
        return produced;
      });
      if (result === undefined) rounds.delete(key);
      else rounds.get(key)!.push(...result.rounds);
    }
  }
  for (const { client, mode } of runs) await deleteTopic(bench, topic(client, mode));
  for (const client of context.clients) {
    const plain = rounds.get(`${client} plain`);
    const idempotent = rounds.get(`${client} idempotent`);
    for (const [mode, done] of [
      ['plain', plain],
      ['idempotent', idempotent],
    ] as const) {
      if (done !== undefined) console.log(`  ${LABELS[client]} ${mode}: ${formatRate(median(perSecond(done)))} records/s; rounds ${perSecond(done).map(formatRate).join(', ')}`);
    }
    if (plain === undefined || idempotent === undefined) continue;
    const plainRate = median(perSecond(plain));
    const idempotentRate = median(perSecond(idempotent));
    const ratio: Figure = { name: `${LABELS[client]} idempotent / plain`, value: idempotentRate / plainRate, unit: 'x' };
    out.figures.push(
      { name: `${LABELS[client]} idempotent`, value: idempotentRate, unit: 'records/s', baseline: { name: 'plain', value: plainRate } },
      client === 'kstream' ? { ...ratio, target: { atLeast: IDEMPOTENT_RATIO_TARGET } } : ratio,
    );
  }
  return out;
}
