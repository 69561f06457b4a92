// The test harness from a user's project: `npm pack` of @kstream/kstream and
// the @kstream packages it needs (built dist/), installed from the tarballs
// into a fresh project outside the monorepo with vitest and jest from the
// registry, which run the README's examples as written. The vitest one: a
// 3-broker cluster started in the test file, a topic created on demand, an
// injected NOT_LEADER_OR_FOLLOWER retried by @kstream/client, produce and
// consume, teardown. The jest one, an ES module: a 1-broker cluster, a topic,
// produce and consume, teardown. Each must pass, exit on its own, and leave no
// data directory. One install serves both: each runner is given its own file.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../src/cluster.test-support.js';
import { buildIfStale, outsideEnv, pack, registryUnreachable, scratchProject } from './client-pack.test-support.js';
import type { ScratchProject, Tarball } from './client-pack.test-support.js';
import { harnessAndItsWorkspaceDependencies, jestVersion, readmeJestExample, readmeVitestExample, vitestVersion } from './harness-pack.test-support.js';

const run = promisify(execFile);

describe('the harness installed from its tarballs', () => {
  let workDir: string | undefined;
  let tarballs: Tarball[] = [];
  let project: ScratchProject | undefined;

  beforeAll(async () => {
    const packageDirs = harnessAndItsWorkspaceDependencies();
    await buildIfStale(packageDirs);
    workDir = await makeTempDir('harness-pack-tarballs');
    tarballs = await pack(packageDirs, workDir);
    const dependencies = Object.fromEntries(tarballs.map(({ name, path }) => [name, `file:${path}`]));
    const allowScripts = Object.fromEntries(tarballs.map(({ path }) => [`file:${path}`, true]));
    const manifest = { name: 'kstream-harness-check', private: true, type: 'module', dependencies, devDependencies: { vitest: vitestVersion(), jest: jestVersion }, allowScripts };
    try {
      project = await scratchProject(tarballs, {
        'package.json': `${JSON.stringify(manifest, null, 2)}\n`,
        'orders.test.ts': readmeVitestExample(),
        'orders.test.mjs': readmeJestExample(),
      });
    } catch (error) {
      const unreachable = registryUnreachable((error as { installLog?: string }).installLog ?? '');
      throw unreachable === null ? error : new Error(`harness-pack: ${unreachable}`, { cause: error });
    }
  }, 480_000);

  afterAll(async () => {
    for (const dir of [workDir, project?.dir]) if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('packsTheHarnessWithItsBuiltDistAndEveryWorkspacePackageItNeeds', () => {
    const kstream = tarballs.find((t) => t.name === '@kstream/kstream')!;
    expect(kstream.files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/start-cluster.js', 'dist/faults/node-faults.js']));
    expect(kstream.files.some((file) => file.startsWith('src/'))).toBe(false);
    expect(tarballs.map((t) => t.name)).toEqual(expect.arrayContaining(['@kstream/broker', '@kstream/client', '@kstream/protocol', '@kstream/controller']));
  });

  /** Runs a test runner in the scratch project: its output without colour codes, and the orders-kafka-* dirs it left in tmpdir. */
  async function runInProject(runner: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ output: string; left: string[] }> {
    const ordersDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith('orders-kafka-'));
    const before = new Set(ordersDirs());
    const { stdout, stderr } = await run(process.execPath, args, { cwd: project!.dir, env, timeout: 150_000 }).catch(
      (error: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`${runner} in ${project!.dir} failed: ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
      },
    );
    // Colours (CI's FORCE_COLOR) split "Tests:" from its count: compared without them.
    return { output: stripVTControlCharacters(stdout + stderr), left: ordersDirs().filter((name) => !before.has(name)) };
  }

  it('runsTheReadmeVitestExampleInAFreshProjectAndLeavesNothingBehind', async () => {
    // Named: vitest's default include would also take the jest example, orders.test.mjs.
    const { output, left } = await runInProject('vitest', ['node_modules/vitest/vitest.mjs', 'run', '--reporter=verbose', 'orders.test.ts'], outsideEnv());
    expect(output).toMatch(/1 passed/);
    expect(output).not.toMatch(/prevents Vitest from exiting/);
    expect(left).toEqual([]);
  }, 180_000);

  it('runsTheReadmeJestExampleInAFreshProjectAndLeavesNothingBehind', async () => {
    // Named: jest's default testMatch would also take the vitest example. Its
    // cache goes in the project (removed with it), not in os.tmpdir().
    const args = ['node_modules/jest/bin/jest.js', '--verbose', '--cacheDirectory', join(project!.dir, '.jest-cache'), 'orders.test.mjs'];
    const { output, left } = await runInProject('jest', args, { ...outsideEnv(), NODE_OPTIONS: '--experimental-vm-modules' });
    expect(output).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(output).not.toMatch(/did not exit one second after the test run|open handle/i);
    expect(left).toEqual([]);
  }, 180_000);
});
