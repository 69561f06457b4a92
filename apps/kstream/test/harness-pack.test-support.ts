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

/** The README's vitest example, between its `<!-- harness-vitest -->` marker and the end of its code block: the pack test runs it as written. */
export function readmeVitestExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('<!-- harness-vitest -->');
  if (start < 0) throw new Error('README.md has no <!-- harness-vitest --> example');
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start));
  if (block === null) throw new Error('README.md: no ```ts block after <!-- harness-vitest -->');
  return block[1]!;
}
