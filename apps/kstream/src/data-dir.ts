import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError } from './config-error.js';

/**
 * Creates `dataDir` if needed and proves it writable by writing a probe file,
 * so a bad --data-dir fails before any broker starts (permission bits alone
 * do not say, e.g. for root or on a read-only mount).
 */
export async function prepareDataDir(dataDir: string): Promise<void> {
  const probe = join(dataDir, `.kstream-write-probe-${process.pid}`);
  try {
    await makeDirs(dataDir);
    await writeFile(probe, '');
    await rm(probe);
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    throw new ConfigError(`--data-dir ${JSON.stringify(dataDir)} is not a writable directory (${code ?? message})`);
  }
}

/**
 * `mkdir -p`, without Node's `recursive: true`: that spins forever when mkdir
 * answers ENOENT although the parent exists, as it does under /proc.
 */
async function makeDirs(dir: string, parentMade = false): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || parentMade || dirname(dir) === dir) throw error;
    await makeDirs(dirname(dir));
    await makeDirs(dir, true);
  }
}
