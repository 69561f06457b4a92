// npm run bench -- eos [--quick] [--only idempotent,txn100,txn10000]
// Issue 13's exactly-once figures against one 3-broker node this benchmark
// starts from source (data in a tmp dir removed afterwards), acks=all,
// RF 3, 100-byte values, 6 partitions (each part's file says how it is
// measured):
// - idempotent: @kstream/client's Producer with idempotence on (its default)
//   beside idempotent: false, records/s and the ratio (target: within 10%),
//   and kafkajs's idempotent beside its plain producer as a peer;
// - txn100, txn10000: transactions of 100 and of 10,000 records (begin, send,
//   commit), commits/s and records/s, ours beside kafkajs's transactional
//   producer.
// Every client runs in a child process of its own, one round per child, as
// in the client benchmark (whose children, checks and report this reuses).
// --quick runs small sizes and few rounds. A missed target prints MISSED; a
// failed run prints FAILED, the other runs still go, and the benchmark exits
// non-zero.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster } from '@kstream/kstream';
import { Kafka, logLevel } from 'kafkajs';
import { countingNodeLog, parsePartArgs } from '../bench-cli.js';
import { report } from '../harness.js';
import { THIS_NODE } from '../client/child.js';
import { loadAverage, missedTargets } from '../client/main.js';
import { LABELS, type PartResult } from '../client/part-context.js';
import type { BenchContext } from '../replication/bench-context.js';
import { ClusterClient } from '../replication/cluster-client.js';
import type { EosContext, EosSizes } from './eos-context.js';
import { idempotencePart } from './idempotence-part.js';
import type { TxnClient } from './messages.js';
import { transactionsPart } from './transactions-part.js';

const PARTS = ['idempotent', 'txn100', 'txn10000'] as const;
const USAGE = `usage: npm run bench -- eos [--quick] [--only ${PARTS.join(',')}]`;
const TRANSACTION_SIZES = { txn100: 100, txn10000: 10_000 } as const;

const FULL: EosSizes = { produceRecords: 1_000_000, produceWarmup: 200_000, produceRounds: 5, txnRounds: 5, txnWarmup: 3, transactionsPerRound: { 100: 500, 10000: 30 } };
const QUICK: EosSizes = { produceRecords: 50_000, produceWarmup: 10_000, produceRounds: 2, txnRounds: 2, txnWarmup: 1, transactionsPerRound: { 100: 50, 10000: 3 } };

/** Whether @kstream/client loads with its Producer and transactions (producer.transaction(), issue 13). */
async function oursBuilt(): Promise<string | undefined> {
  try {
    const { Producer } = (await import('@kstream/client')) as Record<string, unknown>;
    if (typeof Producer !== 'function') return '@kstream/client exports no Producer';
    return typeof (Producer.prototype as Record<string, unknown>).transaction === 'function' ? undefined : '@kstream/client has no producer.transaction()';
  } catch (error) {
    return `@kstream/client does not load: ${(error as Error).message.split('\n')[0]}`;
  }
}

export async function main(args: string[]): Promise<void> {
  const { quick, parts } = parsePartArgs(args, PARTS, USAGE);
  const sizes = quick ? QUICK : FULL;
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const problem = await oursBuilt();
  const clients: TxnClient[] = problem === undefined ? ['kstream', 'kafkajs'] : ['kafkajs'];

  console.log(`npm run bench -- eos ${args.join(' ')}`.trimEnd());
  console.log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown cpu'}), ${loadAverage()} at the start; ${quick ? 'quick (smoke) sizes' : 'full sizes'}`);
  console.log(`node: 3 brokers started from source (startCluster), data in a tmp dir removed afterwards; the node, this process and every client on node ${process.version}`);
  if (problem !== undefined) console.log(`ours: ${problem}; its figures are left out`);

  await mkdir(join(repoRoot, 'tmp'), { recursive: true });
  const workDir = await mkdtemp(join(repoRoot, 'tmp', 'bench-eos-'));
  const dataDir = join(workDir, 'data');
  const log = countingNodeLog();
  const results: PartResult[] = [];
  try {
    const cluster = await startCluster({ brokers: 3, dataDir, port: 0, logger: log.logger });
    const admin = new Kafka({ clientId: 'bench-eos', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
    const client = new ClusterClient(cluster.brokers);
    const bench: BenchContext = { cluster, admin, client, dataDir, workDir, quick };
    const context: EosContext = { bench, sizes, clients, nodeFor: () => THIS_NODE, profileDir: undefined, timeoutMs: quick ? 180_000 : 900_000 };
    try {
      await admin.connect();
      if (parts.includes('idempotent')) results.push(await idempotencePart(context));
      for (const part of parts) {
        if (part !== 'idempotent') results.push(await transactionsPart(context, TRANSACTION_SIZES[part]));
      }
    } finally {
      client.close();
      await admin.disconnect();
      await cluster.stop();
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
    console.log(`\n${log.summary()}`);
  }
  // Reported once the node is down, so nothing interleaves with the figures.
  for (const { title, figures } of results) report(title, figures);
  const described = new Set(results.flatMap((r) => [...r.described].map(([client, how]) => `  ${LABELS[client]}: ${how}`)));
  console.log(`\nhow each client is driven:\n${[...described].join('\n')}`);
  // The node, the clients and anything else on the machine share its cores: a high load makes every figure lower.
  console.log(`\nmachine ${loadAverage()} at the end`);
  const misses = results.flatMap((r) => missedTargets(r.figures));
  console.log(misses.length === 0 ? '\ntargets: all met' : `\nMISSED ${misses.length} target(s):\n${misses.map((m) => `  MISSED ${m}`).join('\n')}`);
  const failures = results.flatMap((r) => r.failures);
  if (failures.length > 0) {
    console.log(`\nFAILED ${failures.length} run(s), left out of the figures:\n${failures.map((f) => `  FAILED ${f}`).join('\n')}`);
    process.exitCode = 1;
  }
}
