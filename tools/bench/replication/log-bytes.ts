import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes in a partition directory's segment files (`*.log`); 0 if the directory is not there (yet). */
export async function segmentBytes(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let total = 0;
  for (const name of names) {
    if (!name.endsWith('.log')) continue;
    try {
      total += (await stat(join(dir, name))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return total;
}
