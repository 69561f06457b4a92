// The test harness as a user gets it: @kstream/kstream (startCluster) and
// the @kstream packages it needs, packed as client-pack packs the client.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');

interface PackageManifest {
  name: string;
  dependencies?: Record<string, string>;
}

function manifest(dir: string): PackageManifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;
}

/** apps/kstream and the directories of the workspace packages it depends on at run time, dependencies first. */
export function harnessAndItsWorkspaceDependencies(): string[] {
  const dirs = new Map(readdirSync(join(root, 'packages')).map((name) => [manifest(join(root, 'packages', name)).name, join(root, 'packages', name)]));
  dirs.set('@kstream/kstream', join(root, 'apps', 'kstream'));
  const ordered: string[] = [];
  const visit = (name: string): void => {
    const dir = dirs.get(name)!;
    if (ordered.includes(dir)) return;
    for (const dependency of Object.keys(manifest(dir).dependencies ?? {})) {
      if (dirs.has(dependency)) visit(dependency);
    }
    ordered.push(dir);
  };
  visit('@kstream/kstream');
  return ordered;
}

/** The monorepo's vitest version: the scratch project installs the same from the registry. */
export function vitestVersion(): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', 'vitest', 'package.json'), 'utf8')) as { version: string }).version;
}

/** jest's major when the jest example was last checked: the scratch project installs its newest release from the registry. */
export const jestVersion = '^30.5.2';

/** The README's code block after `marker` (an HTML comment), as written: the pack test runs it. */
function readmeExample(marker: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf(marker);
  if (start < 0) throw new Error(`README.md has no ${marker} example`);
  const block = /```(?:ts|js)\n([\s\S]*?)```/.exec(readme.slice(start));
  if (block === null) throw new Error(`README.md: no code block after ${marker}`);
  return block[1]!;
}

/** The README's vitest example, `orders.test.ts`. */
export function readmeVitestExample(): string {
  return readmeExample('<!-- harness-vitest -->');
}

/** The README's jest example, `orders.test.mjs`. */
export function readmeJestExample(): string {
  return readmeExample('<!-- harness-jest -->');
}
