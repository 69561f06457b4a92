// The client as a user gets it: @kstream/client and the @kstream packages it
// depends on, built, packed with `npm pack` and installed from the tarballs
// into a fresh project outside the monorepo — the registry serves only their
// third-party dependencies.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '../src/cluster.test-support.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');

/** Environment for npm and node outside the monorepo: none of the running npm script's settings, no source condition. */
export function outsideEnv(): NodeJS.ProcessEnv {
  // npm passes its configuration to scripts as npm_config_*; a nested npm would
  // take the monorepo's. NODE_OPTIONS may carry --conditions=@kstream/source,
  // which points the packages at src/, absent from the tarballs.
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_') && key !== 'NODE_OPTIONS'));
}

interface PackageManifest {
  name: string;
  dependencies?: Record<string, string>;
}

function manifest(dir: string): PackageManifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;
}

/** The client's directory and those of the workspace packages it needs, dependencies first. */
export function clientAndItsWorkspaceDependencies(): string[] {
  const dirs = new Map(readdirSync(join(root, 'packages')).map((name) => [manifest(join(root, 'packages', name)).name, join(root, 'packages', name)]));
  const ordered: string[] = [];
  const visit = (name: string): void => {
    const dir = dirs.get(name);
    if (dir === undefined) throw new Error(`${name} is not a package under packages/`);
    if (ordered.includes(dir)) return;
    for (const dependency of Object.keys(manifest(dir).dependencies ?? {})) {
      if (dirs.has(dependency)) visit(dependency);
    }
    ordered.push(dir);
  };
  visit('@kstream/client');
  return ordered;
}

function filesUnder(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).filter((file) => file.endsWith(suffix));
}

/** Why the package's dist/ does not match its src/, or null when every source has a newer output and no output lacks a source. */
function staleDist(packageDir: string): string | null {
  const sources = filesUnder(join(packageDir, 'src'), '.ts').filter((file) => !file.endsWith('.test.ts') && !file.endsWith('.test-support.ts'));
  const outputs = new Set(filesUnder(join(packageDir, 'dist'), '.js'));
  for (const source of sources) {
    const output = source.replace(/\.ts$/, '.js');
    if (!outputs.delete(output)) return `dist/${output} is missing`;
    if (statSync(join(packageDir, 'dist', output)).mtimeMs < statSync(join(packageDir, 'src', source)).mtimeMs) return `src/${source} is newer than its output`;
  }
  const [orphan] = outputs;
  return orphan === undefined ? null : `dist/${orphan} has no source`;
}

/**
 * Runs `build` holding a lock directory: the test and test-node24 targets run
 * this file at the same time, and one must not pack a dist/ the other is
 * rewriting.
 */
async function withBuildLock<T>(build: () => Promise<T>): Promise<T> {
  const lock = join(root, 'node_modules', '.cache', 'client-pack-build.lock');
  mkdirSync(join(lock, '..'), { recursive: true });
  await waitFor(
    `the build lock ${lock}`,
    () => {
      try {
        mkdirSync(lock);
        return true;
      } catch {
        // A holder that died leaves the lock behind; no build takes two minutes.
        if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 120_000) rmSync(lock, { recursive: true, force: true });
        return false;
      }
    },
    120_000,
  );
  try {
    return await build();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The package's nx build command (its package.json's nx.targets.build.command). */
function buildCommand(packageDir: string): string {
  const { nx } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { nx?: { targets?: { build?: { command?: string } } } };
  const command = nx?.targets?.build?.command;
  if (command === undefined) throw new Error(`${relative(root, packageDir)}/package.json has no nx build command`);
  return command;
}

/** Builds (its nx build command, into a clean dist/) each package whose dist/ is stale; returns what it rebuilt and why. */
export async function buildIfStale(packageDirs: readonly string[]): Promise<string[]> {
  return withBuildLock(async () => {
    const rebuilt: string[] = [];
    for (const dir of packageDirs) {
      const reason = staleDist(dir);
      if (reason === null) continue;
      rmSync(join(dir, 'dist'), { recursive: true, force: true });
      // The package's own build, as nx runs it: tsc, and for the broker the bundles of its worker entries.
      const command = buildCommand(dir);
      try {
        await run('sh', ['-c', command], { cwd: dir, env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` } });
      } catch (error) {
        const { stdout, stderr } = error as { stdout?: string; stderr?: string };
        throw new Error(`${command} failed in ${relative(root, dir)}:\n${stdout ?? ''}${stderr ?? String(error)}`);
      }
      rebuilt.push(`${relative(root, dir)} (${reason})`);
    }
    return rebuilt;
  });
}

export interface Tarball {
  readonly name: string;
  readonly path: string;
  /** The files inside, without the leading "package/". */
  readonly files: readonly string[];
}

/** `npm pack` of each package into `destination`. */
export async function pack(packageDirs: readonly string[], destination: string): Promise<Tarball[]> {
  return Promise.all(
    packageDirs.map(async (dir) => {
      const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination], { cwd: dir, env: outsideEnv() });
      const [packed] = JSON.parse(stdout) as [{ name: string; filename: string; files: { path: string }[] }];
      return { name: packed.name, path: join(destination, packed.filename), files: packed.files.map((file) => file.path) };
    }),
  );
}

export interface ScratchProject {
  readonly dir: string;
  /** npm install's output (with --foreground-scripts, the install scripts' too). */
  readonly installLog: string;
}

/** Why `npm install` failed for lack of the registry (not for a fault of the packages), or null. */
export function registryUnreachable(installLog: string): string | null {
  const code = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH)\b/.exec(installLog);
  return code === null ? null : `npm install could not reach the registry (${code[1]}) for the packages' dependencies`;
}

/**
 * A project in os.tmpdir() that depends on the tarballs and nothing else, with
 * `files` written into it, after `npm install`. Rejects with npm's output (as
 * `installLog`) if the install fails, the project removed.
 */
export async function scratchProject(tarballs: readonly Tarball[], files: Readonly<Record<string, string>>): Promise<ScratchProject> {
  const dir = await mkdtemp(join(tmpdir(), 'kstream-client-pack-'));
  const dependencies: Record<string, string> = {};
  const allowScripts: Record<string, boolean> = {};
  for (const { name, path } of tarballs) {
    const spec = `file:${path}`;
    dependencies[name] = spec;
    // npm 11 runs a dependency's install scripts only when allowScripts names
    // it; a tarball is named by its spec (what `npm install-scripts approve`
    // writes). @kstream/protocol's builds the crc32c addon, or says it falls back.
    allowScripts[spec] = true;
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'kstream-client-pack-check', private: true, type: 'module', dependencies, allowScripts }, null, 2)}\n`);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  try {
    const { stdout, stderr } = await run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', '--prefer-offline'], {
      cwd: dir,
      env: outsideEnv(),
      maxBuffer: 16 << 20,
    });
    return { dir, installLog: stdout + stderr };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    rmSync(dir, { recursive: true, force: true });
    throw Object.assign(new Error(`npm install in ${dir} failed:\n${stdout}${stderr}`), { installLog: stdout + stderr });
  }
}

/** Runs `node <script> ...args` in the project; its last line of output, parsed as JSON. */
export async function runScript(project: string, script: string, args: readonly string[], timeoutMs: number): Promise<unknown> {
  try {
    const { stdout } = await run(process.execPath, [script, ...args], { cwd: project, env: outsideEnv(), timeout: timeoutMs });
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`node ${script} in ${project} failed: ${(error as Error).message}\n${stdout}${stderr}`);
  }
}
