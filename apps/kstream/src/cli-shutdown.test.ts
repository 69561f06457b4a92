import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accepts, makeTempDir, removeDir, waitFor } from './cluster.test-support.js';
import { runCli, runNpmStart } from './cli.test-support.js';
import type { CliRun } from './cli.test-support.js';

const READY = /^kstream ready: bootstrap (\S+) \(3 brokers, cluster \S+, data in .+\)$/m;

// Each test starts a 3-broker node process and shuts it down: half a minute or more on a loaded machine.
describe('kstream start, shut down by a signal', { timeout: 90_000 }, () => {
  let dataDir: string;
  let run: CliRun | undefined;

  beforeEach(async () => {
    dataDir = await makeTempDir('cli-shutdown');
  });

  afterEach(async () => {
    if (run && run.child.spawnargs[0] === 'npm') {
      // npm leads a process group of its own: end whatever of it is left, the node included.
      try {
        process.kill(-run.child.pid!, 'SIGKILL');
      } catch {
        // ESRCH: the group is gone already.
      }
    } else if (run && run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill('SIGKILL');
    }
    await run?.exit;
    run = undefined;
    await removeDir(dataDir);
  });

  async function startNode(start: (args: string[]) => CliRun = runCli): Promise<{ run: CliRun; ports: number[] }> {
    run = start(['start', '--port', '0', '--data-dir', dataDir]);
    const started = run;
    await waitFor('the ready line', () => READY.test(started.stdout()) || started.child.exitCode !== null, 30_000);
    const match = READY.exec(started.stdout());
    if (!match) throw new Error(`no ready line; stderr:\n${started.stderr()}`);
    return { run: started, ports: match[1]!.split(',').map((hostPort) => Number(hostPort.split(':')[1])) };
  }

  it('sigtermStopsCleanly: exit code 0 and every port closed', async () => {
    const { run, ports } = await startNode();
    for (const port of ports) expect(await accepts(port)).toBe(true);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    for (const port of ports) expect(await accepts(port), `port ${port}`).toBe(false);
    expect(run.stderr()).toMatch(/SIGTERM: shutting down/);
  });

  it('secondSignalExitsAtOnce: a signal during the shutdown ends the process without waiting', async () => {
    const { run } = await startNode();
    // Two different signals, so the kernel cannot merge them into one.
    run.child.kill('SIGTERM');
    run.child.kill('SIGINT');
    const code = await run.exit;
    expect([128 + 2, 128 + 15]).toContain(code);
    expect(run.stderr()).toMatch(/during the shutdown: exiting at once/);
  });

  it('npmStartCtrlC: SIGINT to the process group, as a terminal sends it, exits 0 with every port closed', async () => {
    const { run, ports } = await startNode((args) => runNpmStart(args.slice(1)));
    // npm forwards the SIGINT it gets to the node, which gets its own as well.
    process.kill(-run.child.pid!, 'SIGINT');
    expect(await run.exit).toBe(0);
    for (const port of ports) expect(await accepts(port), `port ${port}`).toBe(false);
    expect(run.stderr()).not.toMatch(/exiting at once/);
  });

  it('npmStartSigtermToNpmAlone: the node stops too, npm exits 0 and every port is closed', async () => {
    const { run, ports } = await startNode((args) => runNpmStart(args.slice(1)));
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    for (const port of ports) expect(await accepts(port), `port ${port}`).toBe(false);
    expect(run.stderr()).toMatch(/SIGTERM: shutting down/);
  });
});
