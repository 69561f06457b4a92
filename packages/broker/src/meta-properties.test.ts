import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatLogDir, InconsistentMetaPropertiesError, readMetaProperties } from './meta-properties.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kstream-meta-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('formatLogDir', () => {
  it('firstStart: creates the directory and a meta.properties naming the broker and cluster', async () => {
    const logDir = join(dir, 'broker-2');
    await formatLogDir(logDir, { brokerId: 2, clusterId: 'abc' });
    expect(await readFile(join(logDir, 'meta.properties'), 'utf8')).toBe('version=0\nbroker.id=2\ncluster.id=abc\n');
    expect(await readMetaProperties(join(logDir, 'meta.properties'))).toEqual({ brokerId: 2, clusterId: 'abc' });
  });

  it('restart: the same identity is accepted', async () => {
    await formatLogDir(dir, { brokerId: 1, clusterId: 'abc' });
    await expect(formatLogDir(dir, { brokerId: 1, clusterId: 'abc' })).resolves.toBeUndefined();
  });

  it('otherCluster: a directory of another cluster is refused, naming the file and both ids', async () => {
    await formatLogDir(dir, { brokerId: 1, clusterId: 'old' });
    const attempt = formatLogDir(dir, { brokerId: 1, clusterId: 'new' });
    await expect(attempt).rejects.toBeInstanceOf(InconsistentMetaPropertiesError);
    await expect(attempt).rejects.toThrow(`${join(dir, 'meta.properties')} has cluster.id old but the cluster's id is new`);
  });

  it('otherBroker: a directory of another broker is refused', async () => {
    await formatLogDir(dir, { brokerId: 1, clusterId: 'c' });
    await expect(formatLogDir(dir, { brokerId: 3, clusterId: 'c' })).rejects.toThrow('has broker.id 1 but it is the directory of broker 3');
  });

  it('javaStyleFile: comments and spaces around = are read as Kafka writes them', async () => {
    await writeFile(join(dir, 'meta.properties'), '#\n#Thu Nov 21 10:00:00 UTC 2026\nversion=0\nbroker.id = 4\ncluster.id=xyz\n');
    expect(await readMetaProperties(join(dir, 'meta.properties'))).toEqual({ brokerId: 4, clusterId: 'xyz' });
  });

  it('damagedFile: a file without broker.id is refused rather than overwritten', async () => {
    await writeFile(join(dir, 'meta.properties'), 'version=0\n');
    await expect(formatLogDir(dir, { brokerId: 1, clusterId: 'c' })).rejects.toThrow('lacks a valid broker.id and cluster.id');
  });
});
