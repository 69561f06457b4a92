import { Worker } from 'node:worker_threads';
import type { Transferable } from 'node:worker_threads';

export interface SpawnWorkerOptions {
  /** Shown in the worker's thread title and in inspectors. */
  readonly name?: string;
  readonly workerData?: unknown;
  readonly transferList?: readonly Transferable[];
}

// Running a .ts entry means running the workspace from source, so sibling
// packages must resolve to their source too.
const SOURCE_CONDITION = '--conditions=@kstream/source';

function isTypeScript(entry: URL): boolean {
  return /\.[cm]?ts$/.test(entry.pathname);
}

function tsxApi(entry: URL): string {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch (cause) {
    throw new Error(`cannot start worker ${entry.href}: a TypeScript entry needs the tsx package installed`, { cause });
  }
}

/**
 * Starts a worker thread running `entry`. A .js entry starts as is. A .ts
 * entry starts through tsx, registered inside the worker: Node 20 does not
 * apply an `--import tsx` loader to a worker's own entry module.
 */
export function spawnWorker(entry: URL, options: SpawnWorkerOptions = {}): Worker {
  const common = {
    workerData: options.workerData,
    transferList: options.transferList ? [...options.transferList] : undefined,
    name: options.name,
  };
  if (!isTypeScript(entry)) return new Worker(entry, common);

  const bootstrap = `import(${JSON.stringify(tsxApi(entry))})
    .then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { ...common, eval: true, execArgv: [...process.execArgv, SOURCE_CONDITION] });
}
