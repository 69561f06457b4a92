import { join } from 'node:path';

export const LOG_FILE_SUFFIX = '.log';
export const INDEX_FILE_SUFFIX = '.index';
export const TIME_INDEX_FILE_SUFFIX = '.timeindex';
/** Appended to a segment's files when it is deleted; removed once no reader holds the segment (and at the next open). */
export const DELETED_FILE_SUFFIX = '.deleted';
export const LEADER_EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint';
export const RECOVERY_POINT_CHECKPOINT_FILE = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT_FILE = 'log-start-offset-checkpoint';

/** Kafka's 20-digit zero-padded base offset: file names sort by offset with `ls`. */
export function offsetFilenamePrefix(offset: bigint): string {
  return offset.toString().padStart(20, '0');
}

export function segmentFilePath(dir: string, baseOffset: bigint, suffix: string): string {
  return join(dir, offsetFilenamePrefix(baseOffset) + suffix);
}

/** The base offset in a segment file's name, if the name is `<20 digits><suffix>`. */
export function baseOffsetOfFile(name: string, suffix: string): bigint | undefined {
  if (!name.endsWith(suffix)) return undefined;
  const prefix = name.slice(0, -suffix.length);
  return /^\d{20}$/.test(prefix) ? BigInt(prefix) : undefined;
}

/** The directory of a partition's log under its log directory: `<topic>-<partition>`. */
export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}
