import { randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { partitionDirName, type LogDirIo, type TopicPartition } from '@kstream/log-storage';

/** Kafka's file naming the topic id a partition directory belongs to. */
export const PARTITION_METADATA_FILE = 'partition.metadata';
/** A partition directory being deleted is first renamed `<topic>-<partition>.<id>-delete`, as Kafka does. */
const DELETE_DIR_SUFFIX = '-delete';
const PARTITION_DIR = /^(.+)-(\d+)$/;

/**
 * Writes `partition.metadata` (Kafka's format: `version: 0` and `topic_id:
 * <id>` lines), so a directory left by a deleted topic is recognised when a
 * new topic of the same name arrives.
 */
export async function writePartitionMetadata(io: LogDirIo, partitionDir: string, topicId: string): Promise<void> {
  await io.writeFileAtomic(join(partitionDir, PARTITION_METADATA_FILE), Buffer.from(`version: 0\ntopic_id: ${topicId}\n`, 'utf8'));
}

/** The topic id in a partition directory's `partition.metadata`, if it has one. */
export async function readPartitionTopicId(io: LogDirIo, partitionDir: string): Promise<string | undefined> {
  const bytes = await io.readFileIfExists(join(partitionDir, PARTITION_METADATA_FILE));
  return bytes?.toString('utf8').match(/^topic_id:\s*(\S+)\s*$/m)?.[1];
}

export async function partitionDirExists(io: LogDirIo, partitionDir: string): Promise<boolean> {
  return io.attempt('stat', partitionDir, () =>
    stat(partitionDir).then(
      (s) => s.isDirectory(),
      (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? false : Promise.reject(error)),
    ),
  );
}

/**
 * Deletes a partition's directory (its log must be closed): renamed out of
 * the way first, so a crash mid-delete leaves a `-delete` directory that the
 * next start removes, never a half-deleted partition that would be loaded.
 */
export async function deletePartitionDir(io: LogDirIo, tp: TopicPartition): Promise<void> {
  const dir = join(io.logDir, partitionDirName(tp.topic, tp.partition));
  const doomed = `${dir}.${randomUUID().replaceAll('-', '')}${DELETE_DIR_SUFFIX}`;
  if (!(await io.renameIfExists(dir, doomed))) return;
  await io.fsyncDir(io.logDir);
  await io.attempt('delete', doomed, () => rm(doomed, { recursive: true, force: true }));
}

/** The partition directories of a log directory, and leftovers of deletions a crash interrupted. */
export async function scanLogDir(io: LogDirIo): Promise<{ partitions: TopicPartition[]; unfinishedDeletes: string[] }> {
  const partitions: TopicPartition[] = [];
  const unfinishedDeletes: string[] = [];
  for (const name of await io.readdir(io.logDir)) {
    if (name.endsWith(DELETE_DIR_SUFFIX)) {
      unfinishedDeletes.push(join(io.logDir, name));
      continue;
    }
    const match = PARTITION_DIR.exec(name);
    if (match === null || !(await partitionDirExists(io, join(io.logDir, name)))) continue;
    partitions.push({ topic: match[1]!, partition: Number(match[2]) });
  }
  return { partitions, unfinishedDeletes };
}

export async function removeDir(io: LogDirIo, dir: string): Promise<void> {
  await io.attempt('delete', dir, () => rm(dir, { recursive: true, force: true }));
}
