// --profile: the hottest functions, by self time, of each CPU profile the
// children wrote (worker.ts): where ours spends its time when it is far below
// a target. "(idle)" is time spent waiting, on the brokers or on timers.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

const SHOWN = 15;

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
}

export async function printHottestFunctions(dir: string, label: string): Promise<void> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).sort();
  console.log(`\n${label} CPU profiles in ${dir}: ${files.length}`);
  for (const file of files) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    const samples = new Map<string, number>();
    let total = 0;
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      total += hits;
      const { functionName, url, lineNumber } = node.callFrame;
      // tsx's transpiled files put everything on line 1; the file names the place.
      const where = url === '' ? '' : ` ${url.startsWith('file://') ? relative(process.cwd(), new URL(url).pathname) : `${url}:${lineNumber + 1}`}`;
      const key = `${functionName || '(anonymous)'}${where}`;
      samples.set(key, (samples.get(key) ?? 0) + hits);
    }
    console.log(`  ${file}: ${total} samples; hottest by self time:`);
    for (const [name, hits] of [...samples].sort((a, b) => b[1] - a[1]).slice(0, SHOWN)) {
      console.log(`    ${((hits * 100) / total).toFixed(1).padStart(5)}%  ${name}`);
    }
  }
}
