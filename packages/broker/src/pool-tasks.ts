import { gunzipSync } from 'node:zlib';
import { cleanLog, type CleanJob, type CleanSummary } from '@kstream/log-storage';
import type { NodeChannel } from './messages.js';

/**
 * The CPU-heavy, stateless tasks a broker hands to the node's piscina pool so
 * they never stall its event loop. Each task takes one input and returns one
 * output, both plain data that crosses threads (a task may answer with a
 * promise of it).
 */
export const poolTasks = {
  /** Decompresses a gzip batch (compression type 1). */
  gunzip: (input: Uint8Array): Uint8Array => gunzipSync(input),
  /** One log clean (the broker's LogCleaner): reads the segments, writes `.cleaned` files, returns what it wrote. */
  cleanLog: (input: CleanJob): Promise<CleanSummary> => cleanLog(input),
} satisfies Record<string, (input: never) => unknown>;

export type PoolTaskName = keyof typeof poolTasks;
export type PoolTaskInput<N extends PoolTaskName> = Parameters<(typeof poolTasks)[N]>[0];
export type PoolTaskOutput<N extends PoolTaskName> = Awaited<ReturnType<(typeof poolTasks)[N]>>;

/** One task submission, as it travels from a broker to the pool. */
export interface PoolTaskRequest<N extends PoolTaskName = PoolTaskName> {
  readonly task: N;
  readonly input: PoolTaskInput<N>;
}

export function isPoolTaskName(name: unknown): name is PoolTaskName {
  return typeof name === 'string' && Object.hasOwn(poolTasks, name);
}

/** Runs one task by name; how a pool worker dispatches what it is given. */
export function runPoolTask({ task, input }: PoolTaskRequest): unknown {
  if (!isPoolTaskName(task)) {
    throw new Error(`unknown pool task ${JSON.stringify(task)} (known: ${Object.keys(poolTasks).join(', ')})`);
  }
  // The request pairs the task with its own input; TypeScript cannot see that through the union.
  return (poolTasks[task] as (input: PoolTaskInput<PoolTaskName>) => unknown)(input);
}

/**
 * Asks the node, over a broker's channel to it, to run `task` on its pool.
 * The input is copied, not transferred: a small Buffer usually shares its
 * ArrayBuffer with unrelated Buffers from Node's pool.
 */
export async function submitPoolTask<N extends PoolTaskName>(node: NodeChannel, task: N, input: PoolTaskInput<N>): Promise<PoolTaskOutput<N>> {
  return (await node.ask({ type: 'RunPoolTask', task, input })) as PoolTaskOutput<N>;
}
