import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from './cluster.test-support.js';
import { ConfigError } from './config-error.js';
import { prepareDataDir } from './data-dir.js';

describe('prepareDataDir', () => {
  let root: string;
  beforeAll(async () => {
    root = await makeTempDir('data-dir');
  });
  afterAll(() => removeDir(root));

  it('nestedMissingDirs are created, and an existing dir is fine', async () => {
    const dir = join(root, 'a', 'b', 'c');
    await prepareDataDir(dir);
    expect((await stat(dir)).isDirectory()).toBe(true);
    await expect(prepareDataDir(dir)).resolves.toBeUndefined();
  });

  // mkdir under /proc answers ENOENT although /proc exists: Node's recursive
  // mkdir retried that forever, at full CPU.
  it('procPathFailsAtOnce: a dir that cannot be created under an existing parent is a ConfigError naming it', async () => {
    for (const dir of ['/proc/nope', '/proc/nope/deeper']) {
      await expect(prepareDataDir(dir)).rejects.toThrow(new ConfigError(`--data-dir ${JSON.stringify(dir)} is not a writable directory (ENOENT)`));
    }
  }, 5_000);

  it('aRegularFileInThePath is a ConfigError', async () => {
    const file = join(root, 'file');
    await writeFile(file, '');
    await expect(prepareDataDir(file)).rejects.toThrow(`--data-dir ${JSON.stringify(file)} is not a writable directory`);
    await expect(prepareDataDir(join(file, 'data'))).rejects.toThrow(/is not a writable directory \(ENOTDIR\)/);
  });
});
