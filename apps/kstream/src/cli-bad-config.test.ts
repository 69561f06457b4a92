import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from './cluster.test-support.js';
import { runCli } from './cli.test-support.js';

// Each test runs a node process through tsx: several at once take far longer
// than one on a loaded machine.
describe.concurrent('kstream start with bad configuration exits 2 with one line naming the problem', { timeout: 60_000 }, () => {
  let dataDir: string;
  let busy: Server;
  let busyPort: number;

  beforeAll(async () => {
    dataDir = await makeTempDir('cli-bad-config');
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve));
    await removeDir(dataDir);
  });

  async function expectConfigError(args: string[], line: RegExp): Promise<void> {
    const run = runCli(['start', '--data-dir', dataDir, ...args]);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toMatch(new RegExp(`^kstream: ${line.source}\\n$`));
    expect(run.stdout()).toBe('');
  }

  it('unknownFlag', async () => {
    await expectConfigError(
      ['--partitions', '3'],
      /unknown flag "--partitions" for kstream start \(allowed: --brokers, --data-dir, --port, --config, --config-file, --metrics-port, --log-level, --log-format\)/,
    );
  });

  it('portInUse', async () => {
    await expectConfigError(
      ['--port', String(busyPort), '--brokers', '1'],
      new RegExp(`--port ${busyPort}: 127\\.0\\.0\\.1:${busyPort} for broker 1 is not available \\(EADDRINUSE\\); choose another --port`),
    );
  });

  it('unwritableDataDir: a path under a regular file', async () => {
    const file = join(dataDir, 'a-file');
    await writeFile(file, '');
    const run = runCli(['start', '--data-dir', join(file, 'data'), '--port', '0']);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toMatch(/^kstream: --data-dir ".*a-file\/data" is not a writable directory \(ENOTDIR\)\n$/);
  });

  it('dataDirUnderProc fails at once instead of spinning', async () => {
    const run = runCli(['start', '--data-dir', '/proc/nope', '--port', '0']);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toBe('kstream: --data-dir "/proc/nope" is not a writable directory (ENOENT)\n');
  });

  it('anotherClustersBrokerDir names the file and both cluster ids', async () => {
    const otherDataDir = join(dataDir, 'other-cluster');
    await mkdir(join(otherDataDir, 'broker-2'), { recursive: true });
    await writeFile(join(otherDataDir, 'broker-2', 'meta.properties'), 'version=0\nbroker.id=2\ncluster.id=another-cluster\n');
    const run = runCli(['start', '--data-dir', otherDataDir, '--port', '0', '--metrics-port', 'none']);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toMatch(
      /^kstream: --data-dir ".*other-cluster": .*broker-2\/meta\.properties has cluster\.id another-cluster but the cluster's id is \S+: the directory belongs to another cluster\n$/,
    );
  });

  it('zeroBrokers', async () => {
    await expectConfigError(['--brokers', '0'], /--brokers must be a whole number from 1 to 100, got 0/);
  });

  it('nonNumericBrokers', async () => {
    await expectConfigError(['--brokers', 'three'], /--brokers must be a whole number from 1 to 100, got "three"/);
  });

  it('nonNumericPort', async () => {
    await expectConfigError(['--port=90x'], /--port must be a whole number from 0 to 65535 \(0 picks free ports\), got "90x"/);
  });

  it('portOutOfRange', async () => {
    await expectConfigError(['--port', '70000'], /--port must be a whole number from 0 to 65535 \(0 picks free ports\), got 70000/);
  });

  it('unknownBrokerConfig names the key and lists the known ones', async () => {
    await expectConfigError(
      ['--config', 'colour=blue'],
      /--config colour: Unknown broker config name: colour \(known: auto\.create\.topics\.enable, [a-z., ]*num\.partitions, [a-z., ]*\)/,
    );
  });

  it('badBrokerConfigValue names the key, the value and the allowed values', async () => {
    await expectConfigError(
      ['--config', 'default.replication.factor=0'],
      /--config default\.replication\.factor: Invalid value "0" for configuration default\.replication\.factor: must be an int from 1 to 2147483647/,
    );
  });

  it('badConfigFileLine names the file, the line and the known key a misspelt one is closest to', async () => {
    const file = join(dataDir, 'server.properties');
    await writeFile(file, '# broker\nlog.retention.hours=168\nnum.partiton=3\n');
    await expectConfigError(
      ['--config-file', file],
      new RegExp(`--config-file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 3: Unknown broker config name: num\\.partiton; did you mean num\\.partitions\\?`),
    );
  });
});
