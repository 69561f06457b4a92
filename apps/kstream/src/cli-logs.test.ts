import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, waitFor } from './cluster.test-support.js';
import { runCli } from './cli.test-support.js';
import type { CliRun } from './cli.test-support.js';
import { jsonLogLines } from './json-log-lines.test-support.js';

const kafkaServerProperties = fileURLToPath(new URL('./test-fixtures/kafka-4-server.properties', import.meta.url));

// Each test starts a 1-broker node process and stops it: most of a minute on a loaded machine.
describe('kstream start logs', { timeout: 180_000 }, () => {
  let dataDir: string;
  let run: CliRun | undefined;

  beforeEach(async () => {
    dataDir = await makeTempDir('cli-logs');
  });

  afterEach(async () => {
    if (run && run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    await run?.exit;
    run = undefined;
    await removeDir(dataDir);
  });

  /** Starts `kstream start` with `flags`, waits for its ready line, stops it with SIGTERM and returns its stderr. */
  async function startAndStop(flags: string[]): Promise<string> {
    run = runCli(['start', '--port', '0', '--brokers', '1', '--metrics-port', 'none', '--data-dir', dataDir, ...flags]);
    const started = run;
    await waitFor('the ready line', () => started.stdout().includes('kstream ready') || started.child.exitCode !== null, 150_000);
    expect(started.stdout(), started.stderr()).toMatch(/^kstream ready: /);
    started.child.kill('SIGTERM');
    expect(await started.exit).toBe(0);
    return started.stderr();
  }

  it('pipedStderrIsJsonLines: every line has level, time and msg, and broker or component', async () => {
    const stderr = await startAndStop([]);
    const lines = stderr.split('\n').filter((line) => line !== '');
    const parsed = jsonLogLines(stderr);
    expect(parsed).toHaveLength(lines.length);
    for (const line of parsed) {
      expect(line).toMatchObject({ level: expect.stringMatching(/^(info|warn|error)$/), time: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/), msg: expect.any(String) });
      expect(typeof line['broker'] === 'number' || ['node', 'controller'].includes(String(line['component'])), JSON.stringify(line)).toBe(true);
    }
    expect(parsed).toContainEqual(expect.objectContaining({ level: 'info', broker: 1, msg: expect.stringMatching(/^broker 1: listening on 127\.0\.0\.1:\d+$/) }));
    expect(parsed).toContainEqual(expect.objectContaining({ level: 'info', component: 'controller', msg: expect.stringMatching(/^controller: broker 1 registered/) }));
    expect(parsed).toContainEqual(expect.objectContaining({ level: 'info', component: 'node', msg: 'SIGTERM: shutting down (send it again to exit at once)' }));
  });

  it('prettyFormatIsReadable, and --log-level warn leaves out every info line', async () => {
    const stderr = await startAndStop(['--log-format', 'pretty', '--log-level=warn', '--config-file', kafkaServerProperties]);
    const lines = stderr
      // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the ANSI colour codes the readable format writes on a terminal
      .replace(/\x1b\[\d+m/g, '')
      .split('\n')
      .filter((line) => line !== '');
    expect(lines).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[node\] --config-file \S+: ignoring 16 Kafka settings that do not apply to kstream: /)]);
  });

  it('badLogLevelIsOneLineNamingTheAllowedLevels, exit code 2', async () => {
    run = runCli(['start', '--port', '0', '--data-dir', dataDir, '--log-level', 'loud']);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toBe('kstream: --log-level must be one of error, warn, info, silent, got "loud"\n');
  });
});
