import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogDirIo, TopicPartition } from '@kstream/log-storage';

const PARTITION_DIR = /^(.+)-(\d+)$/;

/**
 * The partitions with a directory in the log directory, open or not (a log
 * being deleted has been renamed and is not one). The listing's entry types
 * say which are directories; only a symbolic link, or a name the typed
 * listing did not see, is looked up with a stat of its own (a restart with
 * 10,000 partitions made 10,000 of them).
 */
export async function partitionsOnDisk(io: LogDirIo): Promise<TopicPartition[]> {
  const names = await io.readdir(io.logDir);
  const types = new Map<string, boolean | undefined>();
  for (const entry of await io.attempt('readdir', io.logDir, () => readdir(io.logDir, { withFileTypes: true }))) {
    types.set(entry.name, entry.isSymbolicLink() ? undefined : entry.isDirectory());
  }
  const partitions: TopicPartition[] = [];
  for (const name of names) {
    const match = PARTITION_DIR.exec(name);
    if (match === null || !(types.get(name) ?? (await isDirectory(io, join(io.logDir, name))))) continue;
    partitions.push({ topic: match[1]!, partition: Number(match[2]) });
  }
  return partitions;
}

function isDirectory(io: LogDirIo, path: string): Promise<boolean> {
  return io.attempt('stat', path, () =>
    stat(path).then(
      (s) => s.isDirectory(),
      (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? false : Promise.reject(error)),
    ),
  );
}
