// Transactions of a fixed size: each client's transactional producer
// (txn-run.ts in a child of its own, one round per child, the clients taking
// turns round by round) begins, sends the records, commits, and begins the
// next. Figures: commits/s and records/s, medians of the rounds, ours beside
// kafkajs. Each round's check: every record acknowledged, and the
// partitions' high watermarks moved by the records plus one commit marker
// per partition each transaction wrote to, and every partition's last stable
// offset reached its high watermark (markers are written after EndTxn's
// answer, so the check waits for them).
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { median, type Figure } from '../harness.js';
import { runInChild } from '../client/child.js';
import { CHUNK, IN_FLIGHT, LABELS, PARTITIONS, VALUE_BYTES, attempt, childOptions, formatRate, newPartResult, roundOrder, type PartResult } from '../client/part-context.js';
import { createTopic, deleteTopic } from '../replication/bench-context.js';
import type { EosContext } from './eos-context.js';
import { endOffsets, storedEntries, type EndOffsets } from './end-offsets.js';
import type { TxnClient, TxnJob, TxnResult } from './messages.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
/** How long the markers of the last commits may take to reach the high watermarks. */
const MARKERS_WAIT_MS = 15_000;

/** How a transaction's records are sent: txn-run.ts's calls of CHUNK records, up to IN_FLIGHT outstanding. */
function sending(records: number): string {
  const calls = Math.ceil(records / CHUNK);
  return calls === 1 ? `one call` : `${calls} calls of ${CHUNK} records, up to ${Math.min(IN_FLIGHT, calls)} in flight`;
}

interface TxnRound {
  readonly commitsPerSecond: number;
  readonly recordsPerSecond: number;
}

async function transactionsChecked(context: EosContext, job: TxnJob): Promise<TxnResult> {
  const before = storedEntries(await endOffsets(context.bench, job.topic, PARTITIONS));
  const result = await runInChild<TxnResult>(job, { ...childOptions(context, job.client), worker: WORKER });
  const records = (job.warmupTransactions + job.transactions) * job.recordsPerTransaction;
  if (result.acknowledged !== records) throw new Error(`${LABELS[job.client]}: sent ${records} records to ${job.topic} in transactions, ${result.acknowledged} acknowledged`);
  const expected = records + result.partitionsWritten;
  const deadline = Date.now() + MARKERS_WAIT_MS;
  const settled = (offsets: readonly EndOffsets[]) => storedEntries(offsets) - before >= expected && offsets.every((o) => o.lastStableOffset === o.highWatermark);
  let offsets = await endOffsets(context.bench, job.topic, PARTITIONS);
  while (!settled(offsets) && Date.now() < deadline) {
    await sleep(100);
    offsets = await endOffsets(context.bench, job.topic, PARTITIONS);
  }
  const stored = storedEntries(offsets) - before;
  const unstable = offsets.filter((o) => o.lastStableOffset !== o.highWatermark);
  if (stored !== expected || unstable.length > 0) {
    const partitions = offsets.map((o) => `${o.partition}: high watermark ${o.highWatermark}, last stable ${o.lastStableOffset}`).join('; ');
    throw new Error(
      `${LABELS[job.client]}: ${records} records and ${result.partitionsWritten} commit markers to ${job.topic}, the high watermarks moved by ${stored} ` +
        `(${MARKERS_WAIT_MS} ms after the last commit); ${partitions}`,
    );
  }
  return result;
}

export async function transactionsPart(context: EosContext, recordsPerTransaction: number): Promise<PartResult> {
  const { sizes, bench } = context;
  const perRound = sizes.transactionsPerRound[recordsPerTransaction];
  if (perRound === undefined) throw new Error(`no transaction count for transactions of ${recordsPerTransaction} records`);
  const size = recordsPerTransaction.toLocaleString('en-US');
  const out = newPartResult(
    `transactions of ${size} records, acks=all RF 3, ${PARTITIONS} partitions, ${VALUE_BYTES} B values, sent in ${sending(recordsPerTransaction)}, then commit: ` +
      `commits/s and records/s, median of ${sizes.txnRounds} rounds of ${perRound} transactions, a child each, after ${sizes.txnWarmup} of warm-up`,
  );
  const rounds = new Map<TxnClient, TxnRound[]>(context.clients.map((client) => [client, []]));
  const topic = (client: TxnClient) => `eos-txn-${recordsPerTransaction}-${client}`;
  for (const client of context.clients) await createTopic(bench, { topic: topic(client), partitions: PARTITIONS, replicationFactor: 3 });
  for (let round = 0; round < sizes.txnRounds; round++) {
    for (const client of roundOrder([...rounds.keys()], round)) {
      const job: TxnJob = {
        kind: 'transactions',
        client,
        bootstrap: bench.cluster.bootstrap,
        topic: topic(client),
        partitions: PARTITIONS,
        transactionalId: `bench-eos-${recordsPerTransaction}-${client}-${round}`,
        valueBytes: VALUE_BYTES,
        recordsPerTransaction,
        chunk: CHUNK,
        inFlight: IN_FLIGHT,
        warmupTransactions: sizes.txnWarmup,
        transactions: perRound,
      };
      const result = await attempt(out, `${LABELS[client]}, transactions of ${size}, round ${round + 1}`, () => transactionsChecked(context, job));
      if (result === undefined) {
        rounds.delete(client);
        continue;
      }
      out.described.set(client, result.description);
      rounds.get(client)!.push({ commitsPerSecond: result.committed / result.seconds, recordsPerSecond: (result.committed * recordsPerTransaction) / result.seconds });
    }
  }
  for (const client of context.clients) await deleteTopic(bench, topic(client));
  const medians = new Map(
    [...rounds].map(([client, done]) => [client, { commits: median(done.map((r) => r.commitsPerSecond)), records: median(done.map((r) => r.recordsPerSecond)) }]),
  );
  for (const [client, done] of rounds) {
    console.log(
      `  ${LABELS[client]}: ${medians.get(client)!.commits.toFixed(1)} commits/s, ${formatRate(medians.get(client)!.records)} records/s; rounds ${done.map((r) => r.commitsPerSecond.toFixed(1)).join(', ')} commits/s`,
    );
  }
  const ours = medians.get('kstream');
  const theirs = medians.get('kafkajs');
  const figure = (name: string, unit: string, value: number, baseline: number | undefined): Figure =>
    baseline === undefined ? { name, value, unit } : { name, value, unit, baseline: { name: LABELS.kafkajs, value: baseline } };
  if (ours !== undefined) {
    out.figures.push(
      figure(`${LABELS.kstream}, ${size} a transaction`, 'commits/s', ours.commits, theirs?.commits),
      figure(`${LABELS.kstream}, ${size} a transaction`, 'records/s', ours.records, theirs?.records),
    );
  } else if (theirs !== undefined) {
    out.figures.push(
      figure(`${LABELS.kafkajs}, ${size} a transaction`, 'commits/s', theirs.commits, undefined),
      figure(`${LABELS.kafkajs}, ${size} a transaction`, 'records/s', theirs.records, undefined),
    );
  }
  return out;
}
