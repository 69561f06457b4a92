// What the client benchmark's parts share: the node and sizes main.ts set up,
// how a client's child is started, each part's figures and notes, and a
// client's failure kept as a line of the report rather than ending the run.
import type { Figure } from '../harness.js';
import type { BenchContext } from '../replication/bench-context.js';
import type { ChildOptions, NodeBinary } from './child.js';
import type { Kcat } from './kcat-ceiling.js';
import type { ClientName, RoundResult } from './messages.js';

export const PARTITIONS = 6;
export const VALUE_BYTES = 100;
/** The application's side of producing, the same for every client: records per send() call, calls outstanding. */
export const CHUNK = 1_000;
export const IN_FLIGHT = 8;

export const LABELS: Readonly<Record<ClientName, string>> = { kstream: 'ours (@kstream/client)', kafkajs: 'kafkajs', platformatic: '@platformatic/kafka' };

export interface Sizes {
  readonly produceRecords: number;
  readonly produceWarmup: number;
  readonly produceRounds: number;
  readonly consumeRecords: number;
  readonly consumeRounds: number;
  readonly latencyRate: number;
  readonly latencyWarmupSeconds: number;
  readonly latencySeconds: number;
}

export interface PartContext {
  readonly bench: BenchContext;
  readonly sizes: Sizes;
  /** The clients to compare, ours first when it is built. */
  readonly clients: readonly ClientName[];
  readonly nodeFor: (client: ClientName) => NodeBinary;
  /** Where ours' children write CPU profiles of their jobs, if profiling. */
  readonly profileDir: string | undefined;
  readonly timeoutMs: number;
  /** kcat, for scale, when it is installed. */
  readonly kcat: Kcat | undefined;
}

export interface PartResult {
  readonly title: string;
  readonly figures: Figure[];
  /** How each client was driven (ClientDriver.description). */
  readonly described: Map<ClientName, string>;
  /** What the clients reported, each line naming the client and the part. */
  readonly notes: string[];
  /** Clients whose run failed in this part: no figure, a line each. */
  readonly failures: string[];
}

export function newPartResult(title: string): PartResult {
  console.log(`\n${title}`);
  return { title, figures: [], described: new Map(), notes: [], failures: [] };
}

export function keepNotes(part: PartResult, partName: string, client: ClientName, result: { description: string; notes: readonly string[] }): void {
  part.described.set(client, result.description);
  part.notes.push(...result.notes.map((n) => `${LABELS[client]}, ${partName}: ${n}`));
}

/**
 * Runs one client's (or kcat's) share of a part; a failure — a client that
 * errs, falls behind or loses records — is printed and kept in the part's
 * failures, and the other clients still run.
 */
export async function attempt<T>(part: PartResult, who: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const line = `${who}: ${message.split('\n').slice(0, 3).join(' | ')}`;
    console.log(`  FAILED ${line}`);
    part.failures.push(line);
    return undefined;
  }
}

/**
 * The clients' order in round `round`: rotated each round, so on a machine
 * whose load drifts no client always runs first or last. Each round runs
 * every client once, in a new child, before the next round starts.
 */
export function roundOrder<T>(clients: readonly T[], round: number): T[] {
  const shift = round % Math.max(1, clients.length);
  return [...clients.slice(shift), ...clients.slice(0, shift)];
}

/** What starting a client's child needs of a part's context. */
export type ChildContext = Pick<PartContext, 'bench' | 'nodeFor' | 'profileDir' | 'timeoutMs'>;

export function childOptions(context: ChildContext, client: ClientName): ChildOptions {
  return {
    node: context.nodeFor(client),
    timeoutMs: context.timeoutMs,
    ...(client === 'kstream' && context.profileDir !== undefined ? { cpuProfileDir: context.profileDir } : {}),
  };
}

export const perSecond = (rounds: readonly RoundResult[]) => rounds.map((r) => r.records / r.seconds);
export const formatRate = (rate: number) => Math.round(rate).toLocaleString('en-US');

export async function storedRecords(bench: BenchContext, topic: string): Promise<number> {
  const offsets = await bench.admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, o) => sum + Number(o.high), 0);
}

/** Ratio figures of ours against each baseline that ran, with the targets. */
export function ratioFigures(rates: ReadonlyMap<ClientName, number>, targets: { kafkajs: number; platformatic: number }): Figure[] {
  const ours = rates.get('kstream');
  if (ours === undefined) return [];
  return (['kafkajs', 'platformatic'] as const).flatMap((baseline) => {
    const theirs = rates.get(baseline);
    return theirs === undefined ? [] : [{ name: `ours / ${LABELS[baseline]}`, value: ours / theirs, unit: 'x', target: { atLeast: targets[baseline] } }];
  });
}
