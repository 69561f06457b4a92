// Figures (a) and (c): groups becoming Stable (group.initial.rebalance.delay.ms=0).
// (a) one group of 10 protocol-level members, `rounds` times after three
//     warm-up rounds, a new group each round: the median time from the
//     first JoinGroup to the last SyncGroup answer (members heartbeat every
//     50 ms, so one synced in an earlier generation rejoins promptly);
//     baseline: the median ApiVersions round trip to the coordinator.
// (c) `groups` groups of 5 members all joining at once on the one node
//     (three broker threads): each group's time, median and p99; and memory
//     per group: the brokers' heap + external bytes after a full GC
//     (WorkerHeaps) once every group is Stable, minus the same once the
//     members' connections are open but before any joins, over the number
//     of groups (and the connections' own cost beside it).
import { ApiVersions } from '@kstream/protocol';
import type { Figure } from '../harness.js';
import { median } from '../harness.js';
import type { BenchContext } from '../replication/bench-context.js';
import { StableGroup } from './stable-group.js';
import type { BrokerMemory, WorkerHeaps } from './worker-heaps.js';

const STABLE_TIMEOUT_MS = 120_000;
const FAST_HEARTBEAT_MS = 50;
const IDLE_HEARTBEAT_MS = 2_000;
/** Rounds run first and not counted, one per broker (the groups go round the brokers): a coordinator's first groups also warm up its JIT. */
const WARMUP_ROUNDS = 3;

async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not Stable within ${STABLE_TIMEOUT_MS} ms`)), STABLE_TIMEOUT_MS))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function askAround(bench: BenchContext, i: number): number {
  return bench.cluster.brokers[i % bench.cluster.brokers.length]!.id;
}

export async function stableTenFigure(bench: BenchContext, rounds: number, label: string): Promise<Figure[]> {
  const size = 10;
  console.log(
    `\nstable: a new group of ${size} protocol-level members each round (JoinGroup v9 with the MEMBER_ID_REQUIRED round trip, SyncGroup v5, heartbeats every ${FAST_HEARTBEAT_MS} ms), ${rounds} rounds`,
  );
  const times: number[] = [];
  const roundTrips: number[] = [];
  for (let round = -WARMUP_ROUNDS; round < rounds; round++) {
    const group = await StableGroup.prepare(bench.client, askAround(bench, round + WARMUP_ROUNDS), `bench-stable-${label}-${round + WARMUP_ROUNDS}`, size, FAST_HEARTBEAT_MS);
    try {
      const conn = await bench.client.connection(group.coordinator.nodeId);
      const before = performance.now();
      await conn.request(ApiVersions, 3, { clientSoftwareName: 'kstream-bench', clientSoftwareVersion: '0.1.0' }, 10_000);
      const roundTrip = performance.now() - before;
      group.start();
      const ms = await within(group.stable, group.group);
      console.log(`  ${round < 0 ? 'warm-up' : `round ${round + 1}`}: ${ms.toFixed(1)} ms (coordinator broker ${group.coordinator.nodeId})`);
      if (round < 0) continue;
      times.push(ms);
      roundTrips.push(roundTrip);
    } finally {
      await group.stop();
    }
  }
  return [
    {
      name: `group of ${size} to Stable, first JoinGroup -> last SyncGroup`,
      value: median(times),
      unit: 'ms',
      baseline: { name: 'ApiVersions round trip', value: median(roundTrips) },
    },
  ];
}

/** One group of `size` on each broker joined and left, so code compiled on a coordinator's first group is not counted as the groups' memory. */
async function warmUp(bench: BenchContext, size: number): Promise<void> {
  for (let i = 0; i < bench.cluster.brokers.length * 2; i++) {
    const group = await StableGroup.prepare(bench.client, askAround(bench, i), `bench-many-warm-up-${i}`, size, FAST_HEARTBEAT_MS);
    try {
      group.start();
      await within(group.stable, group.group);
    } finally {
      await group.stop();
    }
  }
}

/** Sum of the brokers' heap and external bytes. */
function total(memory: ReadonlyMap<string, BrokerMemory>): number {
  return [...memory.values()].reduce((sum, m) => sum + m.heapUsed + m.external, 0);
}

function describeMemory(memory: ReadonlyMap<string, BrokerMemory>): string {
  const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(2);
  return [...memory].map(([name, m]) => `${name} ${mib(m.heapUsed)} + ${mib(m.external)} MiB`).join(', ');
}

export async function manyGroupsFigures(bench: BenchContext, heaps: WorkerHeaps, count: number): Promise<Figure[]> {
  const size = 5;
  console.log(
    `\nmany groups: ${count} groups of ${size} protocol-level members joining at once on one node; memory: the broker workers' heap + external bytes after a full GC (inspector)`,
  );
  const groups: StableGroup[] = [];
  try {
    await warmUp(bench, size);
    const idle = await heaps.brokerMemory();
    for (let i = 0; i < count; i++) groups.push(await StableGroup.prepare(bench.client, askAround(bench, i), `bench-many-${i}`, size, FAST_HEARTBEAT_MS));
    const connected = await heaps.brokerMemory();
    for (const g of groups) g.start();
    const times = await within(Promise.all(groups.map((g) => g.stable)), `${count} groups`);
    for (const g of groups) g.slowDown(IDLE_HEARTBEAT_MS);
    const stable = await heaps.brokerMemory();
    const perCoordinator = new Map<number, number>();
    for (const g of groups) perCoordinator.set(g.coordinator.nodeId, (perCoordinator.get(g.coordinator.nodeId) ?? 0) + 1);
    console.log(
      `  groups per coordinator: ${[...perCoordinator]
        .sort(([a], [b]) => a - b)
        .map(([id, n]) => `broker ${id}: ${n}`)
        .join(', ')}`,
    );
    console.log(`  broker heap + external: idle ${describeMemory(idle)}`);
    console.log(`                          ${count * size} connections open ${describeMemory(connected)}`);
    console.log(`                          ${count} groups Stable ${describeMemory(stable)}`);
    return [
      { name: `${count} groups of ${size}: rebalance to Stable, median`, value: median(times), unit: 'ms' },
      { name: `${count} groups of ${size}: rebalance to Stable, p99`, value: percentile(times, 99), unit: 'ms' },
      { name: `memory per group of ${size} (growth / ${count})`, value: (total(stable) - total(connected)) / count / 1024, unit: 'KiB' },
      { name: `memory per member connection (growth / ${count * size})`, value: (total(connected) - total(idle)) / (count * size) / 1024, unit: 'KiB' },
    ];
  } finally {
    await Promise.all(groups.map((g) => g.stop()));
  }
}
