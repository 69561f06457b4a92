import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, waitFor } from './cluster.test-support.js';
import { runCli } from './cli.test-support.js';
import { jsonLogLines } from './json-log-lines.test-support.js';
import type { CliRun } from './cli.test-support.js';

const kafkaServerProperties = fileURLToPath(new URL('./test-fixtures/kafka-4-server.properties', import.meta.url));

describe('kstream start --config-file with a Kafka server.properties', { timeout: 60_000 }, () => {
  let dataDir: string;
  let run: CliRun | undefined;

  beforeEach(async () => {
    dataDir = await makeTempDir('cli-kafka-config');
  });

  afterEach(async () => {
    if (run && run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill('SIGKILL');
      await run.exit;
    }
    run = undefined;
    await removeDir(dataDir);
  });

  it('stockKafkaFileStartsANode, naming the settings it ignores in one warning', async () => {
    run = runCli(['start', '--config-file', kafkaServerProperties, '--port', '0', '--brokers', '1', '--data-dir', dataDir]);
    const started = run;
    await waitFor('the ready line', () => started.stdout().includes('kstream ready') || started.child.exitCode !== null, 30_000);
    expect(started.stdout(), started.stderr()).toMatch(/^kstream ready: bootstrap 127\.0\.0\.1:\d+ \(1 brokers/);
    const warnings = jsonLogLines(started.stderr()).filter((line) => line['level'] === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!['msg']).toContain(`--config-file ${kafkaServerProperties}: ignoring 16 Kafka settings that do not apply to kstream: process.roles, node.id`);
    started.child.kill('SIGTERM');
    expect(await started.exit).toBe(0);
  });
});
