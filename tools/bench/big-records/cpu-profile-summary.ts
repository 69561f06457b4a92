// --profile: where the node's threads spend their CPU while kcat produces.
// node --cpu-prof writes one .cpuprofile per thread at its exit, workers
// included (they inherit the flag): CPU.<date>.<time>.<pid>.<thread id>.<n>.
// Only samples taken during the kcat runs count: V8 stamps samples with the
// monotonic clock in microseconds, the clock of process.hrtime, so the
// windows this process measured select them. Functions are named by their
// TypeScript source: threads run esbuild bundles of the sources, and each
// bundle has its source map beside it.
import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SHOWN = 25;
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The broker worker's bundle: sourceBundle's (src~broker-worker-<esbuild and format>.cjs), or a build's broker-worker.bundle.cjs. */
const BROKER_WORKER = /broker-worker[^/]*\.cjs$/;
const PROFILE_NAME = /^CPU\.\d+\.\d+\.(\d+)\.(\d+)\.\d+\.cpuprofile$/;

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A span of the monotonic clock, in microseconds (process.hrtime.bigint() / 1000). */
export interface Window {
  readonly fromMicros: number;
  readonly toMicros: number;
}

/** Microseconds by function, summed over every profile added. */
class ThreadTimes {
  readonly self = new Map<string, number>();
  readonly inclusive = new Map<string, number>();
  busyMicros = 0;
  idleMicros = 0;
  files = 0;

  add(profile: CpuProfile, windows: readonly Window[], name: (frame: CallFrame) => string): void {
    this.files++;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    // Each sample lasts until the next one; the last until the profile's end.
    const nodeMicros = new Map<number, number>();
    let at = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      at += profile.timeDeltas[i]!;
      const next = i + 1 < profile.samples.length ? at + profile.timeDeltas[i + 1]! : profile.endTime;
      if (!windows.some((w) => at >= w.fromMicros && at <= w.toMicros)) continue;
      const id = profile.samples[i]!;
      nodeMicros.set(id, (nodeMicros.get(id) ?? 0) + Math.max(0, next - at));
    }
    for (const [id, micros] of nodeMicros) {
      const leaf = name(byId.get(id)!.callFrame);
      if (leaf === '(idle)') {
        this.idleMicros += micros;
        continue;
      }
      this.busyMicros += micros;
      this.self.set(leaf, (this.self.get(leaf) ?? 0) + micros);
      // Inclusive: once per function on the stack, however deep it recurses.
      const onStack = new Set<string>();
      for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) onStack.add(name(byId.get(node)!.callFrame));
      onStack.delete('(root)');
      for (const key of onStack) this.inclusive.set(key, (this.inclusive.get(key) ?? 0) + micros);
    }
  }
}

/** Names a call frame by its source: `name path/to/file.ts:line`, through the bundle's source map when there is one. */
function frameNamer(): (frame: CallFrame) => string {
  const maps = new Map<string, { map: SourceMap; dir: string } | undefined>();
  const sourceMapOf = (path: string) => {
    if (!maps.has(path)) {
      const mapPath = `${path}.map`;
      maps.set(path, existsSync(mapPath) ? { map: new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8'))), dir: dirname(mapPath) } : undefined);
    }
    return maps.get(path);
  };
  return ({ functionName, url, lineNumber, columnNumber }) => {
    const fn = functionName || '(anonymous)';
    if (url === '') return fn;
    if (!url.startsWith('file://')) return `${fn} ${url}:${lineNumber + 1}`;
    const path = fileURLToPath(url);
    const mapped = sourceMapOf(path)?.map.findEntry(lineNumber, columnNumber);
    if (mapped === undefined || !('originalSource' in mapped)) return `${fn} ${relative(repoRoot, path)}:${lineNumber + 1}`;
    const source = mapped.originalSource.startsWith('file://') ? fileURLToPath(mapped.originalSource) : mapped.originalSource;
    const original = isAbsolute(source) ? source : resolve(sourceMapOf(path)!.dir, source);
    return `${fn} ${relative(repoRoot, original)}:${mapped.originalLine + 1}`;
  };
}

function isBrokerWorker(profile: CpuProfile): boolean {
  return profile.nodes.some((n) => BROKER_WORKER.test(n.callFrame.url));
}

function printTop(title: string, micros: Map<string, number>, busyMicros: number): void {
  console.log(`  ${title}:`);
  for (const [name, value] of [...micros].sort((a, b) => b[1] - a[1]).slice(0, SHOWN)) {
    console.log(`    ${(value / 1000).toFixed(0).padStart(7)} ms ${((value * 100) / busyMicros).toFixed(1).padStart(5)}%  ${name}`);
  }
}

/**
 * Prints, for the broker worker threads' profiles under `dir` (every round's,
 * summed), the top functions by self and by inclusive time within `windows`,
 * and for every other thread its busy time and hottest functions.
 */
export async function printProfileSummary(dir: string, windows: readonly Window[]): Promise<void> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.cpuprofile')).sort();
  const name = frameNamer();
  const broker = new ThreadTimes();
  const others = new Map<string, ThreadTimes>();
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const threadId = PROFILE_NAME.exec(file.split('/').pop()!)?.[2] ?? '?';
    const times = isBrokerWorker(profile) ? broker : (others.get(threadId) ?? new ThreadTimes());
    if (times !== broker) others.set(threadId, times);
    times.add(profile, windows, name);
  }
  console.log(`\nCPU profiles (node --cpu-prof) in ${relative(process.cwd(), dir)}: ${files.length} files; samples during the kcat runs only`);
  // V8 samples on a wall-clock timer: on a loaded machine the time a thread waits for a core counts against the function it was in.
  console.log('  ms are sampled wall time of the thread: on a loaded machine, waits for a core count against the function they interrupt');
  if (broker.files === 0) {
    console.log('  no broker worker profile found (no profile runs the broker-worker bundle)');
  } else {
    const busy = broker.busyMicros;
    console.log(
      `broker worker thread (${broker.files} profile${broker.files === 1 ? '' : 's'}): ${(busy / 1000).toFixed(0)} ms busy, ${(broker.idleMicros / 1000).toFixed(0)} ms idle; % of busy time`,
    );
    if (busy > 0) {
      printTop(`top ${SHOWN} by self time`, broker.self, busy);
      printTop(`top ${SHOWN} by inclusive time`, broker.inclusive, busy);
    }
  }
  for (const [threadId, times] of others) {
    const hottest = [...times.self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([fn, micros]) => `${fn} ${(micros / 1000).toFixed(0)} ms`);
    const thread = threadId === '0' ? 'main thread' : `thread ${threadId}`;
    const busy = `${(times.busyMicros / 1000).toFixed(0)} ms busy${hottest.length === 0 ? '' : `; hottest: ${hottest.join('; ')}`}`;
    console.log(`${thread} (${times.files} profile${times.files === 1 ? '' : 's'}): ${busy}`);
  }
}
