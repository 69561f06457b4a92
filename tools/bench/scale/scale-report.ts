// The scale benchmark's output: a section of figures for each thing measured
// (medians over the rounds that measured it, with the issue's targets), why a
// figure is missing when a step failed, then every round's raw numbers and
// the node's warnings.
import type { HeapUsage, NodeHeapUsage } from '@kstream/kstream';
import { type Figure, median, report } from '../harness.js';
import { BROKERS, type CreateResult, type Layout, type RequestLoadResult, type RestartResult } from './messages.js';

const CREATE_TARGET_MS = 3_000;
const BYTES_PER_PARTITION_TARGET = 20 * 1024;
const FIRST_ACK_TARGET_MS = 3_000;
const CHANGES_LISTED = 5;
const MIB = 1024 * 1024;

export interface Round {
  readonly create: CreateResult;
  readonly restart: RestartResult;
}

export interface ReportSettings {
  readonly layout: Layout;
  readonly topicsPerCall: number;
  readonly settleMs: number;
  readonly idleMs: number;
  readonly spreadPartitions: number;
  readonly clients: number;
  readonly loadSeconds: number;
}

function defined(value: number | undefined): value is number {
  return value !== undefined;
}

/** A note when creating the topics used every descriptor: partitions whose logs could not be opened are offline, so the figures are of a node that partly failed. */
function atFdLimit(create: CreateResult): string | null {
  if (create.fdPeakCreating < create.fdSoftLimit) return null;
  return `EMFILE while creating: the process ran out of descriptors (ulimit -n ${create.fdSoftLimit}), so partitions whose logs could not open are offline; see the node log`;
}

function listed(paths: readonly string[]): string {
  if (paths.length === 0) return 'none';
  return `${paths.slice(0, CHANGES_LISTED).join(', ')}${paths.length > CHANGES_LISTED ? `, ... (${paths.length})` : ''}`;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

export class ScaleReport {
  readonly figures: Figure[] = [];
  readonly #series: [string, number[]][] = [];
  readonly #partitions: number;

  constructor(
    private readonly rounds: readonly Round[],
    private readonly settings: ReportSettings,
  ) {
    this.#partitions = settings.layout.topics * settings.layout.partitionsPerTopic;
  }

  creation(): void {
    const creates = this.rounds.map((r) => r.create);
    const complete = (c: CreateResult) => c.creationFailure === null;
    const { replicationFactor, defaultReplicationFactor } = creates[0]!;
    const { layout, topicsPerCall } = this.settings;
    this.#section(
      `create ${thousands(this.#partitions)} partitions: ${layout.topics} topics x ${layout.partitionsPerTopic} partitions, ` +
        `${topicsPerCall} topics a createTopics call, replication factor ${replicationFactor} (median of ${this.rounds.length}; ms)`,
      [
        ...this.#figure(
          'total, first call to last answer',
          'ms',
          creates.map((c) => (complete(c) ? c.totalMs : undefined)),
          { target: { atMost: CREATE_TARGET_MS } },
        ),
        ...this.#figure(
          'first call',
          'ms',
          creates.map((c) => c.callMs[0]),
        ),
        ...this.#figure(
          'last call',
          'ms',
          creates.map((c) => (complete(c) ? c.callMs.at(-1) : undefined)),
        ),
        ...this.#figure(
          'slowest call answered',
          'ms',
          creates.map((c) => (c.callMs.length > 0 ? Math.max(...c.callMs) : undefined)),
        ),
        ...this.#figure(
          "first call to every replica's log open",
          'ms',
          creates.map((c) => (typeof c.logsOpenMs === 'number' ? c.logsOpenMs : undefined)),
        ),
      ],
      [...creates.map((c) => c.creationFailure ?? atFdLimit(c)), ...creates.map((c) => (typeof c.logsOpenMs === 'string' ? `logs not all open: ${c.logsOpenMs}` : null))],
    );
    console.log(
      defaultReplicationFactor === 1
        ? `  replication factor ${replicationFactor}: the node's default.replication.factor is 1, so the topics ask for ${replicationFactor} (one replica on each broker)`
        : `  replication factor ${replicationFactor}: the node's default.replication.factor`,
    );
    this.#series.push(['create: total (ms)', creates.map((c) => c.totalMs)]);
    this.#series.push(['create: every log open (ms)', creates.map((c) => c.logsOpenMs).filter((ms): ms is number => typeof ms === 'number')]);
    this.#series.push(...creates.map((c, i): [string, number[]] => [`create: each call answered, round ${i + 1} (ms)`, [...c.callMs]]));
  }

  memory(): void {
    const creates = this.rounds.map((r) => r.create);
    const replicas = this.#partitions * creates[0]!.replicationFactor;
    const mib = (bytes: number | undefined) => (bytes === undefined ? undefined : bytes / MIB);
    const rss = (value: number | string) => (typeof value === 'number' ? value : undefined);
    const brokers = (heap: NodeHeapUsage | string, bytes: (h: HeapUsage) => number) => (typeof heap === 'string' ? undefined : sum(heap.brokers.map(bytes)));
    const main = (heap: NodeHeapUsage | string, bytes: (h: HeapUsage) => number) => (typeof heap === 'string' ? undefined : bytes(heap.main));
    const used = (h: HeapUsage) => h.usedBytes;
    const total = (h: HeapUsage) => h.totalBytes;
    const young = (h: HeapUsage) => h.youngGenerationBytes;
    const external = (h: HeapUsage) => h.externalBytes;
    // A round whose topics were not all created has no growth per partition.
    const growth = (before: number | undefined, after: number | undefined, c: CreateResult) =>
      c.creationFailure === null && before !== undefined && after !== undefined ? after - before : undefined;
    const perPartition = (values: (number | undefined)[]) => values.map((g) => (g === undefined ? g : g / this.#partitions));
    const rssGrowth = creates.map((c) => growth(rss(c.rssBefore), rss(c.rssAfter), c));
    const brokerHeapGrowth = creates.map((c) => growth(brokers(c.heapBefore, used), brokers(c.heapAfter, used), c));
    const brokerHeapTotalGrowth = creates.map((c) => growth(brokers(c.heapBefore, total), brokers(c.heapAfter, total), c));
    const brokerYoungGrowth = creates.map((c) => growth(brokers(c.heapBefore, young), brokers(c.heapAfter, young), c));
    const brokerExternalGrowth = creates.map((c) => growth(brokers(c.heapBefore, external), brokers(c.heapAfter, external), c));
    const mainHeapGrowth = creates.map((c) => growth(main(c.heapBefore, used), main(c.heapAfter, used), c));
    const brokerHeapBefore = creates.map((c) => brokers(c.heapBefore, used));
    const why = creates.map((c) => {
      if (c.creationFailure !== null) return 'not every partition was created';
      if (typeof c.logsOpenMs === 'string') return `sampled with logs still opening: ${c.logsOpenMs}`;
      const notes = [atFdLimit(c), c.rssBefore, c.rssAfter, c.heapBefore, c.heapAfter].filter((v): v is string => typeof v === 'string');
      return notes.length === 0 ? null : notes.join('; ');
    });
    const collected = creates.every((c) => [c.heapBefore, c.heapAfter].every((h) => typeof h !== 'string' && [h.main, ...h.brokers].every((t) => t.collected)));
    const gc = collected ? "a gc() of every thread's heap (each broker's, then the main thread's)" : 'no gc() of some thread (not exposed)';
    const target = { atMost: BYTES_PER_PARTITION_TARGET };
    const figures = [
      ...this.#figure('RSS growth per partition', 'bytes', perPartition(rssGrowth), { target }),
      ...this.#figure(
        'RSS growth per replica',
        'bytes',
        rssGrowth.map((g) => (g === undefined ? g : g / replicas)),
      ),
      ...this.#figure(
        'RSS before creating',
        'MiB',
        creates.map((c) => mib(rss(c.rssBefore))),
      ),
      ...this.#figure(
        'RSS after creating',
        'MiB',
        creates.map((c) => mib(rss(c.rssAfter))),
      ),
      ...this.#figure(`live heap growth per partition, ${BROKERS} brokers summed`, 'bytes', perPartition(brokerHeapGrowth), { target }),
      ...this.#figure(
        'live heap growth per replica, brokers',
        'bytes',
        brokerHeapGrowth.map((g) => (g === undefined ? g : g / replicas)),
      ),
      ...this.#figure(
        'live heap after creating, brokers summed',
        'MiB',
        creates.map((c) => mib(brokers(c.heapAfter, used))),
        brokerHeapBefore.every(defined) ? { baseline: { name: 'before creating', value: median(brokerHeapBefore.map((b) => b / MIB)) } } : {},
      ),
      ...this.#figure('heap allocated growth per partition, brokers', 'bytes', perPartition(brokerHeapTotalGrowth)),
      ...this.#figure('  of which the young generation', 'bytes', perPartition(brokerYoungGrowth)),
      ...this.#figure('external memory growth per partition, brokers', 'bytes', perPartition(brokerExternalGrowth)),
      ...this.#figure('live heap growth per partition, main thread', 'bytes', perPartition(mainHeapGrowth)),
      ...this.#figure(
        `CPU of the idle node after creating, all threads, over ${this.settings.idleMs / 1000} s`,
        'cores',
        creates.map((c) => c.idleCoresAfter ?? undefined),
        { baseline: { name: 'before creating', value: median(creates.map((c) => c.idleCoresBefore)) } },
      ),
    ];
    this.#section(
      `memory per idle partition: after creating (every replica's log open) minus before, each after ${this.settings.settleMs} ms settling and ${gc}: the node's process RSS, ` +
        `and the V8 heap in use (live objects) of its threads; then the process's CPU time, nothing asked of the node (median of ${this.rounds.length})`,
      figures,
      why,
    );
    this.#series.push(
      ['memory: RSS before (MiB)', creates.map((c) => mib(rss(c.rssBefore))).filter(defined)],
      ['memory: RSS after (MiB)', creates.map((c) => mib(rss(c.rssAfter))).filter(defined)],
      ['memory: broker heaps before (MiB)', brokerHeapBefore.map(mib).filter(defined)],
      ['memory: broker heaps after (MiB)', creates.map((c) => mib(brokers(c.heapAfter, used))).filter(defined)],
      // Each round's figures print as whole numbers: thousandths of a core.
      [
        'idle CPU after creating (millicores)',
        creates
          .map((c) => c.idleCoresAfter)
          .filter((v): v is number => v !== null)
          .map((cores) => cores * 1000),
      ],
    );
  }

  restart(): void {
    const restarts = this.rounds.map((r) => r.restart);
    const { spreadPartitions } = this.settings;
    const series: [string, (number | undefined)[]][] = [
      ['call -> ready', restarts.map((r) => r.readyMs)],
      ['call -> first record acked (acks=all)', restarts.map((r) => r.firstAckMs)],
      [`call -> ${spreadPartitions} more partitions acked`, restarts.map((r) => r.spread?.allAckedMs)],
      [`slowest of those ${spreadPartitions}, send -> ack`, restarts.map((r) => r.spread?.maxLatencyMs)],
      ['stop(), after creating', this.rounds.map((r) => r.create.stop.ms)],
      ['stop(), after the restart', restarts.map((r) => r.stop?.ms)],
    ];
    this.#section(
      `restart to first produce: a fresh process, startCluster on the data dir of ${thousands(this.#partitions)} partitions, @kstream/client's Producer ` +
        `(the ${spreadPartitions} sent together once the first is acked; median of ${this.rounds.length}; ms)`,
      series.flatMap(([name, values]) => this.#figure(name, 'ms', values, name.startsWith('call -> first') ? { target: { atMost: FIRST_ACK_TARGET_MS } } : {})),
      [
        ...restarts.map((r) => r.failure),
        ...this.rounds.map((r) => (r.create.stop.error === null ? null : `stop() after creating: ${r.create.stop.error}`)),
        ...restarts.map((r) => (r.stop?.error ? `stop() after the restart: ${r.stop.error}` : null)),
      ],
    );
    this.#series.push(...series.map(([name, values]): [string, number[]] => [`restart: ${name} (ms)`, values.filter(defined)]));
  }

  restartWrites(): void {
    const restarts = this.rounds.map((r) => r.restart);
    this.#section(
      `restart writes: /proc/self/io of the node's process, just before startCluster to the first ack; files of the data dir, before the call to the last ack ` +
        `(target: no file written or synced at start for a partition that did not change; /proc has no fsync counter; median of ${this.rounds.length})`,
      [
        ...this.#figure(
          'write_bytes (page-cache pages dirtied)',
          'bytes',
          restarts.map((r) => r.io?.writeBytes),
        ),
        ...this.#figure(
          'syscw (write calls: files, sockets, wake-ups)',
          'calls',
          restarts.map((r) => r.io?.syscw),
        ),
        ...this.#figure(
          'wchar (bytes passed to write calls)',
          'bytes',
          restarts.map((r) => r.io?.wchar),
        ),
        ...this.#figure(
          'partition dirs changed, not produced to',
          'dirs',
          restarts.map((r) => r.files?.partitionDirs.length),
        ),
        ...this.#figure(
          'other files changed',
          'files',
          restarts.map((r) => r.files?.otherFiles.length),
        ),
      ],
      restarts.map((r) => r.failure),
    );
    const last = restarts.findLast((r) => r.files !== undefined)?.files;
    if (last !== undefined) {
      const kinds = Object.entries(last.partitionFiles).sort((a, b) => b[1] - a[1]);
      console.log(`  last round's partition dirs changed, not produced to: ${listed(last.partitionDirs)}`);
      console.log(`  last round's files changed in them, by name: ${kinds.length === 0 ? 'none' : kinds.map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
      console.log(`  last round's other files changed: ${listed(last.otherFiles)}`);
    }
    this.#series.push(
      ['restart: write_bytes (bytes)', restarts.map((r) => r.io?.writeBytes).filter(defined)],
      ['restart: syscw (calls)', restarts.map((r) => r.io?.syscw).filter(defined)],
      ['restart: partition dirs changed (dirs)', restarts.map((r) => r.files?.partitionDirs.length).filter(defined)],
    );
  }

  descriptors(): void {
    const limit = this.rounds[0]!.create.fdSoftLimit;
    // At the limit every open() fails with EMFILE: the peak must stay below it.
    const target = { atMost: limit - 1 };
    const peaks: [string, (number | undefined)[]][] = [
      ['creating the topics', this.rounds.map((r) => r.create.fdPeakCreating)],
      [`restart until ${this.settings.spreadPartitions} more partitions acked`, this.rounds.map((r) => r.restart.fdPeak)],
      [`${thousands(this.settings.clients)} clients' requests`, this.rounds.map((r) => r.create.fdPeakLoad ?? undefined)],
    ];
    this.#section(
      `open file descriptors of the node's process, peak of samples every 100 ms (a sample refused with EMFILE counts as the limit), ` +
        `beside the soft limit: ulimit -n = ${limit} (median of ${this.rounds.length})`,
      peaks.flatMap(([name, values]) => this.#figure(name, 'fds', values, { target })),
      peaks.flatMap(([name, values]) => values.map((peak) => (peak !== undefined && peak >= limit ? `EMFILE: every descriptor in use while ${name}` : null))),
    );
    this.#series.push(...peaks.map(([name, values]): [string, number[]] => [`fds: ${name} (peak)`, values.filter(defined)]));
  }

  requests(): void {
    const { clients, loadSeconds } = this.settings;
    const loads = this.rounds.map((r) => (typeof r.create.load === 'string' ? undefined : r.create.load));
    const rate = (which: 'metadata' | 'apiVersions') => loads.map((l) => (l === undefined ? undefined : l[which].responses / l[which].seconds));
    const apiVersions = rate('apiVersions').filter(defined);
    this.#section(
      `requests from ${thousands(clients)} clients: a connection each, spread over the ${BROKERS} brokers, one request at a time for ${loadSeconds} s, ` +
        `from another process (only good answers within the window count; median of ${this.rounds.length})`,
      [
        ...this.#figure(
          'Metadata v12, one topic',
          'requests/s',
          rate('metadata'),
          apiVersions.length === 0 ? {} : { baseline: { name: 'ApiVersions v3', value: median(apiVersions) } },
        ),
        ...this.#figure(
          `opening ${thousands(clients)} connections`,
          'ms',
          loads.map((l) => l?.connectMs),
        ),
        ...this.#figure(
          'load process CPU during Metadata',
          'cores',
          loads.map((l) => l?.metadata.loadCpuCores),
        ),
      ],
      this.rounds.map((r) => (typeof r.create.load === 'string' ? r.create.load : null)),
    );
    const measured = loads.filter((l): l is RequestLoadResult => l !== undefined);
    for (const which of ['metadata', 'apiVersions'] as const) {
      const uncounted = measured.map(
        (l) =>
          `${l[which].connections} of ${thousands(clients)} connections open at the start, ${l[which].failedConnections} failed in the window, ${l[which].errorResponses} error answers`,
      );
      if (uncounted.length > 0) console.log(`  ${which === 'metadata' ? 'Metadata' : 'ApiVersions'}: ${uncounted.join('; ')}`);
      this.#series.push([`requests: ${which} (responses/s)`, rate(which).filter(defined)]);
    }
  }

  /** Every round's numbers, and the node's warnings and errors. */
  roundsAndLogs(): void {
    const rounded = (values: readonly number[]) => (values.length === 0 ? 'not measured' : values.map((v) => thousands(Math.round(v))).join(', '));
    console.log(`\nrounds:\n${this.#series.map(([name, values]) => `  ${name.padEnd(52)} ${rounded(values)}`).join('\n')}`);
    console.log('\nnode logs (warnings and errors of the node and its clients):');
    this.rounds.forEach((r, i) => {
      console.log(`  round ${i + 1}, creating: ${r.create.log}`);
      console.log(`  round ${i + 1}, restart: ${r.restart.log}`);
    });
  }

  /** The figure over the rounds that measured it (named with their count when some did not); none when no round did. */
  #figure(name: string, unit: string, values: readonly (number | undefined)[], more: Pick<Figure, 'target' | 'baseline'> = {}): Figure[] {
    const measured = values.filter(defined);
    if (measured.length === 0) return [];
    const of = measured.length === values.length ? '' : ` (${measured.length} of ${values.length} rounds)`;
    return [{ name: `${name}${of}`, value: median(measured), unit, ...more }];
  }

  /** Reports the figures and, under them, why each round that failed a step could not give its figure. */
  #section(title: string, figures: Figure[], failures: readonly (string | null)[]): void {
    report(title, figures);
    const roundOf = (i: number) => (i % this.rounds.length) + 1;
    failures.forEach((failure, i) => {
      if (failure !== null) console.log(`  round ${roundOf(i)}: ${failure}`);
    });
    this.figures.push(...figures);
  }
}
