// Which files of a data dir a restart touched: every file's size and
// modification time before and after, compared.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** `size mtime` of every file under `dir`, by its path relative to `dir`. */
export function snapshotFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    try {
      const { size, mtimeNs } = statSync(path, { bigint: true });
      files.set(relative(dir, path), `${size} ${mtimeNs}`);
    } catch (error) {
      // A file the running node renamed or deleted between the listing and its stat has changed all the same.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      files.set(relative(dir, path), 'gone');
    }
  }
  return files;
}

/** Paths created, modified or removed between two snapshots. */
export function changedFiles(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const changed = [...after].filter(([path, stamp]) => before.get(path) !== stamp).map(([path]) => path);
  const removed = [...before.keys()].filter((path) => !after.has(path));
  return [...changed, ...removed].sort();
}
