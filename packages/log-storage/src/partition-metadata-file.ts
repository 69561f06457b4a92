import { join } from 'node:path';
import type { LogDirIo } from './log-dir-io.js';

/**
 * Kafka's file naming the topic id a partition directory belongs to. The
 * log directory deletes the logs of topics its broker sees deleted, but a
 * topic deleted and created again under the same name while the broker was
 * down (or crashed before it applied the deletion) leaves a directory of the
 * right name holding the old topic's records: only the topic id in this
 * file tells it apart. As in Kafka (UnifiedLog's partitionMetadataFile), a
 * new log writes it with its first flush of batches, not when it is
 * created: a log with no batch has nothing to tell apart, and creating
 * 10,000 partitions would otherwise sync 20,000 files.
 */
export const PARTITION_METADATA_FILE = 'partition.metadata';

/** Writes `partition.metadata` in Kafka's format (`version: 0` and `topic_id: <id>` lines), synced with its directory. */
export async function writePartitionMetadata(io: LogDirIo, partitionDir: string, topicId: string): Promise<void> {
  await io.writeFileAtomic(join(partitionDir, PARTITION_METADATA_FILE), Buffer.from(`version: 0\ntopic_id: ${topicId}\n`, 'utf8'));
}

/** The topic id in a partition directory's `partition.metadata`, if the directory and the file exist. */
export async function readPartitionTopicId(io: LogDirIo, partitionDir: string): Promise<string | undefined> {
  const bytes = await io.readFileIfExists(join(partitionDir, PARTITION_METADATA_FILE));
  return bytes?.toString('utf8').match(/^topic_id:\s*(\S+)\s*$/m)?.[1];
}
