import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { loadBundle } from '@kstream/actor/load-bundle';
import { bundleCompiled, cachedSourceBundle, sourceBundle } from '@kstream/actor/source-bundle';

const run = promisify(execFile);
const requireModule = createRequire(import.meta.url);

// A scratch package: a .ts entry importing a sibling module that reports its
// own import.meta.url, and a third-party package that stays a require.
describe('sourceBundle and loadBundle', () => {
  let dir: string;
  let entry: URL;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kstream-bundle-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', type: 'module' }));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'where.ts'), 'export const where: string = import.meta.url;\n');
    writeFileSync(join(dir, 'src', 'answer.ts'), 'export const answer: number = 41;\n');
    writeFileSync(
      join(dir, 'src', 'entry.ts'),
      "import { basename } from 'node:path';\nimport { where } from './where.js';\nimport { answer } from './answer.js';\nexport const result = { where, file: basename(new URL(where).pathname), answer };\n",
    );
    entry = pathToFileURL(join(dir, 'src', 'entry.ts'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('buildsOnceThenFindsTheCachedBundle, inlined modules keeping their own import.meta.url', async () => {
    expect(cachedSourceBundle(entry)).toBeUndefined();
    const bundle = await sourceBundle(entry);
    expect(fileURLToPath(bundle)).toContain(join(dir, 'node_modules', '.cache', 'kstream-bundles'));
    expect(cachedSourceBundle(entry)?.href).toBe(bundle.href);
    const { result } = loadBundle(bundle) as { result: { where: string; file: string; answer: number } };
    expect(result).toEqual({ where: pathToFileURL(join(dir, 'src', 'where.ts')).href, file: 'where.ts', answer: 41 });
  });

  it('aChangedSourceMakesTheBundleStale, and the next build has the change', async () => {
    await sourceBundle(entry);
    writeFileSync(join(dir, 'src', 'answer.ts'), 'export const answer: number = 42;\n');
    // Sizes are equal, so only the modification time tells.
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(dir, 'src', 'answer.ts'), later, later);
    expect(cachedSourceBundle(entry)).toBeUndefined();
    const rebuilt = await sourceBundle(entry);
    expect((loadBundle(rebuilt) as { result: { answer: number } }).result.answer).toBe(42);
  });

  it('aRemovedBundleIsBuiltAgain though its manifest is still there', async () => {
    const bundle = fileURLToPath(await sourceBundle(entry));
    rmSync(bundle);
    expect(cachedSourceBundle(entry)).toBeUndefined();
    expect(existsSync(fileURLToPath(await sourceBundle(entry)))).toBe(true);
  });

  it('loadBundleWritesAV8CodeCacheThatTheNextLoadTakes', async () => {
    const bundle = fileURLToPath(await sourceBundle(entry));
    loadBundle(bundle);
    const cache = readFileSync(`${bundle}.v8-${process.versions.v8}.cache`);
    expect(cache.length).toBeGreaterThan(16);
    // A second load leaves an accepted cache as it is.
    loadBundle(bundle);
    expect(readFileSync(`${bundle}.v8-${process.versions.v8}.cache`).equals(cache)).toBe(true);
  });

  it('withSourceMapsOnStackLinesNameTheTypeScriptSources', async () => {
    writeFileSync(join(dir, 'src', 'boom.ts'), "export function boom(): never {\n  throw new Error('boom');\n}\n");
    const thrower = pathToFileURL(join(dir, 'src', 'thrower.ts'));
    writeFileSync(fileURLToPath(thrower), "import { boom } from './boom.js';\nexport const run = (): never => boom();\n");
    const bundle = fileURLToPath(await sourceBundle(thrower));
    // A process of its own: vitest formats stacks itself, over Node's source maps.
    const printStack = `try { require(${JSON.stringify(requireModule.resolve('@kstream/actor/load-bundle'))}).loadBundle(${JSON.stringify(bundle)}).run() } catch (e) { console.log(e.stack) }`;
    const mapped = await run(process.execPath, ['--enable-source-maps', '-e', printStack]);
    expect(mapped.stdout).toContain(`${join(dir, 'src', 'boom.ts')}:2:`);
    const unmapped = await run(process.execPath, ['-e', printStack]);
    expect(unmapped.stdout).toContain(`${bundle}:`);
  });

  it('aBundleThatCannotBeBuiltRejectsNamingTheFile', async () => {
    const broken = join(dir, 'src', 'broken.ts');
    writeFileSync(broken, "import { missing } from './nowhere.js';\nexport const x = missing;\n");
    await expect(sourceBundle(pathToFileURL(broken))).rejects.toThrow(/nowhere/);
  });
});

// Two of kstream's packages side by side as npm installs them: a compiled
// entry of one inlines a module of the other that computes a path from its
// import.meta.url.
describe('bundleCompiled', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kstream-bundle-compiled-'));
    const dep = join(dir, 'node_modules', '@kstream', 'scratch-dep');
    mkdirSync(join(dep, 'dist'), { recursive: true });
    writeFileSync(join(dep, 'package.json'), JSON.stringify({ name: '@kstream/scratch-dep', type: 'module', exports: { '.': './dist/index.js' } }));
    writeFileSync(join(dep, 'dist', 'index.js'), "export const asset = new URL('../asset.txt', import.meta.url).href;\n");
    const app = join(dir, 'node_modules', '@kstream', 'scratch-app');
    mkdirSync(join(app, 'dist'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: '@kstream/scratch-app', type: 'module', exports: { '.': './dist/main.js' } }));
    writeFileSync(join(app, 'dist', 'main.js'), "export { asset } from '@kstream/scratch-dep';\nexport const self = import.meta.url;\n");
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('inlinedModulesFindTheirFilesWhereTheirPackagesAre', async () => {
    const app = join(dir, 'node_modules', '@kstream', 'scratch-app');
    const outfile = join(app, 'dist', 'main.bundle.cjs');
    await bundleCompiled(join(app, 'dist', 'main.js'), outfile);
    const loaded = loadBundle(outfile) as { asset: string; self: string };
    expect(loaded.asset).toBe(pathToFileURL(join(dir, 'node_modules', '@kstream', 'scratch-dep', 'asset.txt')).href);
    expect(loaded.self).toBe(pathToFileURL(join(app, 'dist', 'main.js')).href);
  });
});
