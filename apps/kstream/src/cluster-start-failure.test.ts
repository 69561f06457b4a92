import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from './cluster.test-support.js';

const script = fileURLToPath(new URL('./failed-start.test-support.ts', import.meta.url));

describe('startCluster that fails', { timeout: 60_000 }, () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await makeTempDir('cluster-start-failure');
  });

  afterAll(async () => {
    await removeDir(dataDir);
  });

  it("leavesNothingRunning: a broker directory of another cluster, found after the brokers' threads began loading, fails the start, and the process then ends by itself", async () => {
    await mkdir(join(dataDir, 'broker-3'), { recursive: true });
    await writeFile(join(dataDir, 'broker-3', 'meta.properties'), 'version=0\nbroker.id=3\ncluster.id=another-cluster\n');
    const child = spawn(process.execPath, ['--conditions=@kstream/source', '--import', 'tsx', script, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    // A worker thread left waiting would keep the process alive until it is killed.
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(killer);
    expect(out).toMatch(
      /^ConfigError: --data-dir ".*": .*broker-3\/meta\.properties has cluster\.id another-cluster but the cluster's id is \S+: the directory belongs to another cluster\n$/,
    );
    expect(code, 'the process ended by itself').toBe(0);
  });
});
