import { Worker } from 'node:worker_threads';
import type { ResourceLimits, Transferable } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface SpawnWorkerOptions {
  /** Shown in the worker's thread title and in inspectors. */
  readonly name?: string;
  readonly workerData?: unknown;
  readonly transferList?: readonly Transferable[];
  /**
   * The worker's own V8 heap limits (Node's `resourceLimits`). Node's flags
   * for the same (`--max-semi-space-size`, `--max-old-space-size`) apply to
   * every thread of the process and take precedence over these.
   */
  readonly resourceLimits?: ResourceLimits;
}

// The bundler and the bundle loader, as a worker loads them: plain JavaScript,
// so a worker needs no TypeScript loader to run them.
const requireModule = createRequire(import.meta.url);
const SOURCE_BUNDLE_MODULE = pathToFileURL(requireModule.resolve('@kstream/actor/source-bundle')).href;
const LOAD_BUNDLE_MODULE = requireModule.resolve('@kstream/actor/load-bundle');

/**
 * The bundler, required when a .ts entry first starts rather than imported:
 * a bundle of this package would otherwise carry it (and esbuild's loading)
 * into every broker thread, which starts no worker.
 */
function bundler(): typeof import('@kstream/actor/source-bundle') {
  return requireModule('@kstream/actor/source-bundle') as typeof import('@kstream/actor/source-bundle');
}

const LOADER_FLAGS = new Set(['--import', '--loader', '--experimental-loader', '--require', '-r']);
/** Flags of the parent's own input, each with a value: `node --input-type=module -e '...'`. */
const INPUT_FLAGS = new Set(['--input-type', '-e', '--eval', '-p', '--print']);

/**
 * The parent's node flags a worker takes: all but a TypeScript loader (tsx:
 * a bundle needs none, and a worker inheriting `--import tsx` spends ~190 ms
 * loading it) and the flags of the parent's own input. A worker inheriting
 * `--input-type=module` ran the CommonJS its eval code is as an ES module,
 * where `require` is not defined: the worker failed just after it came
 * online.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    if (INPUT_FLAGS.has(flag)) {
      if (inline === undefined) i++;
    } else if (!LOADER_FLAGS.has(flag)) kept.push(arg);
    else if (inline !== undefined) {
      if (!/\btsx\b/.test(inline)) kept.push(arg);
    } else {
      const value = execArgv[++i] ?? '';
      if (!/\btsx\b/.test(value)) kept.push(arg, value);
    }
  }
  return kept;
}

/**
 * msgpackr's native string extractor (msgpackr-extract), which it loads in
 * every thread unless told not to: ~16 ms of a worker's start here (probing
 * for the prebuilt addon, then loading it), for a gain only on large
 * string-heavy messages (a 10,000-partition metadata snapshot unpacks in
 * 5.2 ms with it, 7.4 ms without; a 3,333-partition replica fetch the same
 * either way). Workers start without it unless the environment says
 * otherwise.
 */
const MSGPACKR_NATIVE = 'MSGPACKR_NATIVE_ACCELERATION_DISABLED';

function workerEnv(): NodeJS.ProcessEnv {
  return process.env[MSGPACKR_NATIVE] === undefined ? { ...process.env, [MSGPACKR_NATIVE]: 'true' } : process.env;
}

/** The parent's flags a worker takes, once a worker has refused some (see newWorker). */
let acceptedExecArgv: string[] | undefined;

/**
 * A worker with the parent's node flags it takes (workerExecArgv). Node
 * refuses V8's process-wide flags in a worker's execArgv (`--expose-gc`,
 * `--max-old-space-size=...`: ERR_WORKER_INVALID_EXEC_ARGV) though they
 * apply to every thread of the process already; the flags the error names
 * are dropped, here and for later workers, and the worker made again. Node
 * gives the list only in the message.
 */
function newWorker(code: string, options: ConstructorParameters<typeof Worker>[1]): Worker {
  const execArgv = acceptedExecArgv ?? workerExecArgv(process.execArgv);
  try {
    return new Worker(code, { ...options, eval: true, execArgv });
  } catch (error) {
    const refused = refusedFlags(error);
    if (refused.length === 0) throw error;
    acceptedExecArgv = execArgv.filter((arg) => !refused.includes(arg));
    if (acceptedExecArgv.length === execArgv.length) throw error;
    return new Worker(code, { ...options, eval: true, execArgv: acceptedExecArgv });
  }
}

/** The flags an ERR_WORKER_INVALID_EXEC_ARGV names ("... invalid execArgv flags: --a, --b=1"); none for any other error. */
export function refusedFlags(error: unknown): string[] {
  if ((error as NodeJS.ErrnoException | undefined)?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV') return [];
  const listed = /flags: (.*)$/s.exec((error as Error).message)?.[1];
  return listed === undefined ? [] : listed.split(', ').filter((flag) => flag.startsWith('-'));
}

/** A bundle the build made of a compiled entry (tools/bundle-compiled.mjs). */
const BUNDLE = /\.bundle\.cjs$/;

function isTypeScript(entry: URL): boolean {
  return /\.[cm]?ts$/.test(entry.pathname);
}

/** What cachedSourceBundle answered for each .ts entry during this turn of the event loop. */
const checkedThisTurn = new Map<string, URL | undefined>();

/**
 * The current bundle of a .ts entry. Workers spawned in one turn (a node's
 * brokers) share one check: it stats every input (338 files for a broker),
 * about 30 ms of the spawning thread each time at a node's start.
 */
function currentBundle(entry: URL): URL | undefined {
  if (checkedThisTurn.has(entry.href)) return checkedThisTurn.get(entry.href);
  const bundle = bundler().cachedSourceBundle(entry);
  if (checkedThisTurn.size === 0) setImmediate(() => checkedThisTurn.clear()).unref();
  checkedThisTurn.set(entry.href, bundle);
  return bundle;
}

/**
 * Starts a worker thread running `entry`. A .js entry starts as is. A
 * .bundle.cjs entry (a build's bundle of a compiled one) starts through
 * loadBundle, from V8's code cache. A .ts entry (the workspace run from
 * source) starts from its bundle too: found here when current, otherwise
 * built by the worker (sourceBundle) before it loads it, so this call stays
 * synchronous and a bundle that cannot be built fails the worker, as a
 * module that cannot load does.
 */
export function spawnWorker(entry: URL, options: SpawnWorkerOptions = {}): Worker {
  const common = {
    env: workerEnv(),
    workerData: options.workerData,
    transferList: options.transferList ? [...options.transferList] : undefined,
    name: options.name,
    resourceLimits: options.resourceLimits,
  };
  const load = `require(${JSON.stringify(LOAD_BUNDLE_MODULE)}).loadBundle`;
  if (BUNDLE.test(entry.pathname)) return newWorker(`${load}(${JSON.stringify(fileURLToPath(entry))})`, common);
  if (!isTypeScript(entry)) return new Worker(entry, common);
  const bundle = currentBundle(entry);
  if (bundle !== undefined) return newWorker(`${load}(${JSON.stringify(fileURLToPath(bundle))})`, common);
  const buildThenLoad = `import(${JSON.stringify(SOURCE_BUNDLE_MODULE)})
    .then((bundler) => bundler.sourceBundle(new URL(${JSON.stringify(entry.href)})))
    .then((bundle) => ${load}(bundle))`;
  return newWorker(buildThenLoad, common);
}
