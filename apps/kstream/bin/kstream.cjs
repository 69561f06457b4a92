#!/usr/bin/env node
// The `kstream` command as npm installs it: runs src/main.ts from the
// TypeScript sources the way `npm start` does (tsx, and the @kstream/source
// condition so the workspace packages load from source too), in a child node
// that gets this process's stdio and arguments. SIGINT and SIGTERM are passed
// on (a terminal's Ctrl-C reaches both; a `kill` reaches only this one), and
// the child's exit code or signal becomes this process's.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const child = spawn(process.execPath, ['--conditions=@kstream/source', '--import', tsx, main, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  if (signal !== null) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
