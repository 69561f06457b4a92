// npm run bench -- client [--quick] [--only producer,consumer,e2e,idempotent] [--node24] [--profile]
// Issue 12's client figures: @kstream/client beside kafkajs and
// @platformatic/kafka against one 3-broker node this benchmark starts from
// source (group.initial.rebalance.delay.ms=0), 100-byte values, 6 partitions
// (each part's file says how it is measured):
// - producer: acks=1 RF 1, records/s, ratios to kafkajs and platformatic;
// - idempotent: ours alone, acks=all RF 3 with idempotence asked for (the
//   report says whether the client could turn it on);
// - consumer: a topic of numbered records read from the beginning;
// - e2e: send() -> record handed over at a fixed rate, acks=all RF 3;
// - kcat (librdkafka), when installed, beside the producer and consumer
//   figures for scale (kcat-ceiling.ts).
// Every client runs in a child process of its own, one at a time (worker.ts);
// ours and kafkajs on this Node, @platformatic/kafka on Node 24 (it needs
// Node >= 22; tools/node24.mjs provides it), or every client on Node 24 with
// --node24. --profile writes CPU profiles of ours' jobs under tmp/ and
// prints their hottest functions. --quick runs small sizes and few rounds.
// A missed target prints MISSED; a client's failed run prints FAILED, the
// other clients still run, and the benchmark exits non-zero.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster } from '@kstream/kstream';
import { Kafka, logLevel } from 'kafkajs';
import { countingNodeLog, parsePartArgs } from '../bench-cli.js';
import { report, type Figure } from '../harness.js';
import type { BenchContext } from '../replication/bench-context.js';
import { ClusterClient } from '../replication/cluster-client.js';
import { node24, THIS_NODE, type NodeBinary } from './child.js';
import type { ClientName } from './messages.js';
import { consumerPart } from './consumer-part.js';
import { latencyPart } from './latency-part.js';
import { LABELS, type PartContext, type PartResult, type Sizes } from './part-context.js';
import { producerPart } from './producer-part.js';
import { findKcat } from './kcat-ceiling.js';
import { printHottestFunctions } from './profile.js';

const PARTS = ['producer', 'consumer', 'e2e', 'idempotent'] as const;
const FLAGS = ['--node24', '--profile'] as const;
const USAGE = `usage: npm run bench -- client [--quick] [--only ${PARTS.join(',')}] [${FLAGS.join('] [')}]`;

const FULL: Sizes = {
  produceRecords: 1_000_000,
  produceWarmup: 200_000,
  produceRounds: 5,
  consumeRecords: 5_000_000,
  consumeRounds: 3,
  latencyRate: 50_000,
  latencyWarmupSeconds: 2,
  latencySeconds: 10,
};
const QUICK: Sizes = {
  produceRecords: 100_000,
  produceWarmup: 20_000,
  produceRounds: 2,
  consumeRecords: 300_000,
  consumeRounds: 2,
  latencyRate: 50_000,
  latencyWarmupSeconds: 1,
  latencySeconds: 3,
};

/** Whether @kstream/client loads and exports what the benchmark drives (its Producer and Consumer land during issue 12). */
async function oursBuilt(): Promise<{ producer: boolean; consumer: boolean; problem?: string }> {
  try {
    const client = (await import('@kstream/client')) as Record<string, unknown>;
    const missing = ['Producer', 'Consumer'].filter((name) => typeof client[name] !== 'function');
    return {
      producer: !missing.includes('Producer'),
      consumer: !missing.includes('Consumer'),
      ...(missing.length > 0 ? { problem: `@kstream/client exports no ${missing.join(' or ')}` } : {}),
    };
  } catch (error) {
    return { producer: false, consumer: false, problem: `@kstream/client does not load: ${(error as Error).message.split('\n')[0]}` };
  }
}

export function loadAverage(): string {
  const [one, five] = loadavg() as [number, number];
  return `load average ${one.toFixed(1)} (1 min) ${five.toFixed(1)} (5 min)`;
}

/** One line per figure that missed its target. */
export function missedTargets(figures: readonly Figure[]): string[] {
  return figures.flatMap((f) => {
    const { atLeast, atMost } = f.target ?? {};
    const format = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3));
    if (atLeast !== undefined && !(f.value >= atLeast)) return [`${f.name}: ${format(f.value)} ${f.unit}, target >= ${format(atLeast)}`];
    if (atMost !== undefined && !(f.value <= atMost)) return [`${f.name}: ${format(f.value)} ${f.unit}, target <= ${format(atMost)}`];
    return [];
  });
}

export async function main(args: string[]): Promise<void> {
  const flags = new Set(args.filter((a) => (FLAGS as readonly string[]).includes(a)));
  const { quick, parts } = parsePartArgs(
    args.filter((a) => !flags.has(a)),
    PARTS,
    USAGE,
  );
  const sizes = quick ? QUICK : FULL;
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const node24Binary = node24();
  const nodeFor = (client: ClientName): NodeBinary => (client === 'platformatic' || flags.has('--node24') ? node24Binary : THIS_NODE);
  const built = await oursBuilt();
  const kcat = findKcat();

  console.log(`npm run bench -- client ${args.join(' ')}`.trimEnd());
  console.log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown cpu'}), ${loadAverage()} at the start; ${quick ? 'quick (smoke) sizes' : 'full sizes'}`);
  console.log(
    `node: the node and this process ${process.version}; ours and kafkajs ${nodeFor('kstream').version}; @platformatic/kafka ${nodeFor('platformatic').version} (${node24Binary.path})`,
  );
  console.log(
    kcat === undefined
      ? 'kcat: not installed; no native figure for scale'
      : `${kcat.label}: beside the producer and consumer figures, for scale (timed from its start to its exit)`,
  );
  if (built.problem !== undefined) console.log(`ours: ${built.problem}; its figures are left out`);

  await mkdir(join(repoRoot, 'tmp'), { recursive: true });
  const workDir = await mkdtemp(join(repoRoot, 'tmp', 'bench-client-'));
  const profileDir = flags.has('--profile') ? await mkdtemp(join(repoRoot, 'tmp', 'bench-client-profiles-')) : undefined;
  const dataDir = join(workDir, 'data');
  const log = countingNodeLog();
  const results: PartResult[] = [];
  try {
    const cluster = await startCluster({ brokers: 3, dataDir, port: 0, logger: log.logger, config: { 'group.initial.rebalance.delay.ms': '0' } });
    const admin = new Kafka({ clientId: 'bench-client', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
    const client = new ClusterClient(cluster.brokers);
    const bench: BenchContext = { cluster, admin, client, dataDir, workDir, quick };
    const baselines: ClientName[] = ['kafkajs', 'platformatic'];
    const context = (clients: readonly ClientName[]): PartContext => ({ bench, sizes, clients, nodeFor, profileDir, timeoutMs: quick ? 120_000 : 900_000, kcat });
    try {
      await admin.connect();
      if (parts.includes('producer')) {
        const clients: ClientName[] = built.producer ? ['kstream', ...baselines] : baselines;
        results.push(
          await producerPart(context(clients), {
            key: 'acks1',
            title: 'producer acks=1 RF 1',
            acks: 1,
            idempotent: false,
            replicationFactor: 1,
            target: 1_500_000,
            ratioTargets: { kafkajs: 3, platformatic: 1.5 },
          }),
        );
      }
      if (parts.includes('idempotent')) {
        if (built.producer)
          results.push(
            await producerPart(context(['kstream']), {
              key: 'idempotent',
              title: 'producer acks=all RF 3, idempotence asked for (ours)',
              acks: -1,
              idempotent: true,
              replicationFactor: 3,
              target: 600_000,
            }),
          );
        else console.log('\nidempotent: skipped, ours is not built');
      }
      if (parts.includes('consumer')) {
        const clients: ClientName[] = built.consumer ? ['kstream', ...baselines] : baselines;
        results.push(await consumerPart(context(clients)));
      }
      if (parts.includes('e2e')) {
        const clients: ClientName[] = built.producer && built.consumer ? ['kstream', ...baselines] : baselines;
        results.push(await latencyPart(context(clients)));
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
  const described = new Map(results.flatMap((r) => [...r.described]));
  console.log(`\nhow each client is driven:\n${[...described].map(([client, how]) => `  ${LABELS[client]}: ${how}`).join('\n')}`);
  const notes = [...new Set(results.flatMap((r) => r.notes))];
  if (notes.length > 0) console.log(`\nwhat the clients reported:\n${notes.map((n) => `  ${n}`).join('\n')}`);
  if (profileDir !== undefined) await printHottestFunctions(profileDir, LABELS.kstream);
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
