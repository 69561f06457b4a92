// Runs a command and ends it if it outlives a deadline, so a test run that
// hangs (a fork whose event loop never returns) fails with a line naming the
// deadline instead of holding CI until its own limit:
//
//   node tools/deadline.mjs <seconds> <command> [args...]
//
// The command runs in a process group of its own, and the whole group gets
// SIGTERM at the deadline, then SIGKILL 15 s later. Exit code: the command's,
// or 124 (as coreutils' timeout) when the deadline ended it.
import { spawn } from 'node:child_process';

const [seconds, command, ...args] = process.argv.slice(2);
const limit = Number(seconds);
if (command === undefined || !Number.isFinite(limit) || limit <= 0) {
  console.error('usage: node tools/deadline.mjs <seconds> <command> [args...]');
  process.exit(2);
}

const child = spawn(command, args, { stdio: 'inherit', detached: process.platform !== 'win32', shell: process.platform === 'win32' });
let expired = false;
const signalGroup = (signal) => {
  try {
    process.kill(process.platform === 'win32' ? child.pid : -child.pid, signal);
  } catch {
    // Already gone.
  }
};
const timer = setTimeout(() => {
  expired = true;
  console.error(`deadline: "${[command, ...args].join(' ')}" still running after ${limit} s; ending it`);
  signalGroup('SIGTERM');
  setTimeout(() => signalGroup('SIGKILL'), 15_000).unref();
}, limit * 1000);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => signalGroup(signal));
child.on('error', (error) => {
  console.error(`deadline: cannot run ${command}: ${error.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  process.exit(expired ? 124 : (code ?? (signal === null ? 1 : 128)));
});
