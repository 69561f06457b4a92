// npm run bench -- groups [--quick] [--only stable,commits,many,cleaner]
// Issue 11's consumer-group figures on one 3-broker node this benchmark
// starts from source with group.initial.rebalance.delay.ms=0 (see each
// file's header for how each is measured):
// - rebalances.ts (a): a group of 10 protocol-level members becoming Stable,
//   median of >= 5 new groups, beside the coordinator's ApiVersions round trip;
// - commits.ts (b): offset commits per second, acks=all RF 3, beside the same
//   number of Produce acks=all RF 3 requests of one small record;
// - rebalances.ts (c): 100 groups of 5 members at once: rebalance time
//   (median, p99) and memory per group from the broker workers' heaps;
// - (d) the log cleaner's MB/s beside a plain read of the same segments,
//   from tools/bench/cleaner/measure.ts (helper A's), once it exists.
// --quick runs fewer rounds, commits and groups. Only errors exit non-zero.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startCluster } from '@kstream/kstream';
import { Kafka, logLevel } from 'kafkajs';
import { countingNodeLog, parsePartArgs } from '../bench-cli.js';
import { report, type Figure } from '../harness.js';
import type { BenchContext } from '../replication/bench-context.js';
import { ClusterClient } from '../replication/cluster-client.js';
import { commitFigures } from './commits.js';
import { manyGroupsFigures, stableTenFigure } from './rebalances.js';
import { WorkerHeaps } from './worker-heaps.js';

const PARTS = ['stable', 'commits', 'many', 'cleaner'] as const;
const USAGE = `usage: npm run bench -- groups [--quick] [--only ${PARTS.join(',')}]`;

interface Sizes {
  readonly stableRounds: number;
  readonly commits: number;
  readonly commitRounds: number;
  readonly groups: number;
}

const FULL: Sizes = { stableRounds: 7, commits: 20_000, commitRounds: 5, groups: 100 };
const QUICK: Sizes = { stableRounds: 5, commits: 2_000, commitRounds: 3, groups: 20 };

interface CleanerMeasure {
  measureCleaner(options: { quick: boolean }): Promise<{ cleanerMBps: number; readMBps: number; ratio: number; lines: string[] }>;
}

/** The cleaner's figure from helper A's tools/bench/cleaner/measure.ts; "not built" until that file exists. */
async function cleanerFigures(quick: boolean): Promise<{ title: string; figures: Figure[] }> {
  const file = fileURLToPath(new URL('../cleaner/measure.ts', import.meta.url));
  if (!existsSync(file)) {
    console.log('\ncleaner: not built (tools/bench/cleaner/measure.ts does not exist yet)');
    return { title: 'cleaner: not built', figures: [] };
  }
  const { measureCleaner } = (await import(pathToFileURL(file).href)) as CleanerMeasure;
  const measured = await measureCleaner({ quick });
  for (const line of measured.lines) console.log(`  ${line}`);
  return {
    title: 'cleaner: tools/bench/cleaner/measure.ts',
    figures: [{ name: 'log cleaner', value: measured.cleanerMBps, unit: 'MB/s', baseline: { name: 'plain read of the same segments', value: measured.readMBps } }],
  };
}

export async function main(args: string[]): Promise<void> {
  const { quick, parts } = parsePartArgs(args, PARTS, USAGE);
  const sizes = quick ? QUICK : FULL;
  console.log(`npm run bench -- groups ${args.join(' ')}`.trimEnd());
  console.log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown cpu'}), node ${process.version}; ${quick ? 'quick (smoke) sizes' : 'full sizes'}`);
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  await mkdir(join(repoRoot, 'tmp'), { recursive: true });
  const workDir = await mkdtemp(join(repoRoot, 'tmp', 'bench-groups-'));
  const log = countingNodeLog();
  const results: Array<{ title: string; figures: Figure[] }> = [];
  try {
    if (parts.some((p) => p !== 'cleaner')) {
      const cluster = await startCluster({ brokers: 3, dataDir: join(workDir, 'data'), port: 0, logger: log.logger, config: { 'group.initial.rebalance.delay.ms': '0' } });
      const admin = new Kafka({ clientId: 'bench-groups', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
      const client = new ClusterClient(cluster.brokers);
      const heaps = await WorkerHeaps.open();
      const bench: BenchContext = { cluster, admin, client, dataDir: join(workDir, 'data'), workDir, quick };
      try {
        await admin.connect();
        if (parts.includes('stable'))
          results.push({
            title: `a group of 10 becoming Stable, initial delay 0 (median of ${sizes.stableRounds})`,
            figures: await stableTenFigure(bench, sizes.stableRounds, 'ten'),
          });
        if (parts.includes('commits'))
          results.push({ title: `offset commits, acks=all RF 3 (median of ${sizes.commitRounds})`, figures: await commitFigures(bench, sizes.commits, sizes.commitRounds) });
        if (parts.includes('many')) results.push({ title: `${sizes.groups} groups of 5 on one node`, figures: await manyGroupsFigures(bench, heaps, sizes.groups) });
      } finally {
        heaps.close();
        client.close();
        await admin.disconnect();
        await cluster.stop();
      }
    }
    if (parts.includes('cleaner')) results.push(await cleanerFigures(quick));
  } finally {
    await rm(workDir, { recursive: true, force: true });
    console.log(`\n${log.summary()}`);
  }
  for (const { title, figures } of results) report(title, figures);
}
