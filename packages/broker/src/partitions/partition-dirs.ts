import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogDirIo, TopicPartition } from '@kstream/log-storage';

const PARTITION_DIR = /^(.+)-(\d+)$/;

/** The partitions with a directory in the log directory, open or not (a log being deleted has been renamed and is not one). */
export async function partitionsOnDisk(io: LogDirIo): Promise<TopicPartition[]> {
  const partitions: TopicPartition[] = [];
  for (const name of await io.readdir(io.logDir)) {
    const match = PARTITION_DIR.exec(name);
    if (match === null || !(await isDirectory(io, join(io.logDir, name)))) continue;
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
