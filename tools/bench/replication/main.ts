// npm run bench -- replication [--quick] [--only throughput,catch-up,failover]
// Issue 10's replication figures on one 3-broker cluster this benchmark
// starts from source (see each file's header for how each is measured):
// - throughput.ts: kcat producing into 6 partitions, RF 3 acks=all beside
//   RF 1 acks=1, 100 B and 16 KiB records, page-cache and durable flush
//   policies (target: ratio >= 0.50; Kafka's published one is 0.51);
// - catch-up.ts: a follower coming back after its leader took 256 MiB,
//   MB/s beside the same log read with @kstream/log-storage;
// - failover.ts: leader crash -> first acks=all acknowledgement from the new
//   leader, median and max over 20 crashes (targets: < 1 s, < 3 s).
// --quick runs small sizes and few rounds. A missed target prints MISSED;
// only errors exit non-zero.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster } from '@kstream/kstream';
import { Kafka, logLevel } from 'kafkajs';
import { countingNodeLog, parsePartArgs } from '../bench-cli.js';
import { report, type Figure } from '../harness.js';
import type { BenchContext } from './bench-context.js';
import { catchUpFigures } from './catch-up.js';
import { ClusterClient } from './cluster-client.js';
import { failoverFigures } from './failover.js';
import { throughputFigures, type ThroughputSize } from './throughput.js';

const PARTS = ['throughput', 'catch-up', 'failover'] as const;
const USAGE = `usage: npm run bench -- replication [--quick] [--only ${PARTS.join(',')}]`;

interface Sizes {
  readonly throughput: readonly ThroughputSize[];
  readonly throughputRounds: number;
  readonly catchUpMiB: number;
  readonly catchUpRounds: number;
  readonly failovers: number;
}

const FULL: Sizes = {
  throughput: [
    { recordBytes: 100, records: 1_000_000 },
    { recordBytes: 16 * 1024, records: 8_192 },
  ],
  throughputRounds: 3,
  catchUpMiB: 256,
  catchUpRounds: 3,
  failovers: 20,
};

const QUICK: Sizes = {
  throughput: [
    { recordBytes: 100, records: 50_000 },
    { recordBytes: 16 * 1024, records: 1_024 },
  ],
  throughputRounds: 2,
  catchUpMiB: 32,
  catchUpRounds: 2,
  failovers: 5,
};

/** The figures whose target was missed, one line each. */
function missed(figures: readonly Figure[]): string[] {
  return figures.flatMap((f) => {
    const { atLeast, atMost } = f.target ?? {};
    if (atLeast !== undefined && !(f.value >= atLeast)) return [`${f.name}: ${f.value.toPrecision(3)} ${f.unit}, target >= ${atLeast.toPrecision(3)}`];
    if (atMost !== undefined && !(f.value <= atMost)) return [`${f.name}: ${f.value.toPrecision(3)} ${f.unit}, target <= ${atMost.toPrecision(3)}`];
    return [];
  });
}

export async function main(args: string[]): Promise<void> {
  const { quick, parts } = parsePartArgs(args, PARTS, USAGE);
  const sizes = quick ? QUICK : FULL;
  console.log(`npm run bench -- replication ${args.join(' ')}`.trimEnd());
  console.log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown cpu'}), node ${process.version}; ${quick ? 'quick (smoke) sizes' : 'full sizes'}`);
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  await mkdir(join(repoRoot, 'tmp'), { recursive: true });
  const workDir = await mkdtemp(join(repoRoot, 'tmp', 'bench-replication-'));
  const dataDir = join(workDir, 'data');
  const log = countingNodeLog();
  const results: Array<{ title: string; figures: Figure[] }> = [];
  try {
    const cluster = await startCluster({ brokers: 3, dataDir, port: 0, logger: log.logger });
    const admin = new Kafka({ clientId: 'bench-replication', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
    const client = new ClusterClient(cluster.brokers);
    const bench: BenchContext = { cluster, admin, client, dataDir, workDir, quick };
    try {
      await admin.connect();
      if (parts.includes('throughput')) {
        const figures = await throughputFigures(bench, sizes.throughput, sizes.throughputRounds);
        results.push({ title: `throughput: kcat, 6 partitions, 3 brokers (median of ${sizes.throughputRounds})`, figures });
      }
      if (parts.includes('catch-up')) {
        const figures = await catchUpFigures(bench, sizes.catchUpMiB, sizes.catchUpRounds);
        results.push({ title: `catch-up: ${sizes.catchUpMiB} MiB to a follower that was down (median of ${sizes.catchUpRounds})`, figures });
      }
      if (parts.includes('failover')) {
        const figures = await failoverFigures(bench, sizes.failovers);
        results.push({ title: `failover: leader crash under acks=all, min.insync.replicas=2 (${sizes.failovers} crashes)`, figures });
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
  // Reported once the cluster is down, so nothing interleaves with the figures.
  for (const { title, figures } of results) report(title, figures);
  const misses = results.flatMap((r) => missed(r.figures));
  console.log(misses.length === 0 ? '\ntargets: all met' : `\nMISSED ${misses.length} target(s):\n${misses.map((m) => `  MISSED ${m}`).join('\n')}`);
}
