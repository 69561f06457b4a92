import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogDirIo, TopicPartition } from '@kstream/log-storage';

/**
 * Kafka's file naming the topic id a partition directory belongs to. The
 * log directory deletes the logs of topics this broker sees deleted, but a
 * topic deleted and created again under the same name while this broker was
 * down (or crashed before it applied the deletion) leaves a directory of
 * the right name holding the old topic's records: only the topic id in this
 * file tells it apart.
 */
export const PARTITION_METADATA_FILE = 'partition.metadata';
const PARTITION_DIR = /^(.+)-(\d+)$/;

/** Writes `partition.metadata` in Kafka's format: `version: 0` and `topic_id: <id>` lines. */
export async function writePartitionMetadata(io: LogDirIo, partitionDir: string, topicId: string): Promise<void> {
  await io.writeFileAtomic(join(partitionDir, PARTITION_METADATA_FILE), Buffer.from(`version: 0\ntopic_id: ${topicId}\n`, 'utf8'));
}

/** The topic id in a partition directory's `partition.metadata`, if the directory and the file exist. */
export async function readPartitionTopicId(io: LogDirIo, partitionDir: string): Promise<string | undefined> {
  const bytes = await io.readFileIfExists(join(partitionDir, PARTITION_METADATA_FILE));
  return bytes?.toString('utf8').match(/^topic_id:\s*(\S+)\s*$/m)?.[1];
}

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
