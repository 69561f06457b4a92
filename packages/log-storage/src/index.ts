// @kstream/log-storage: one partition's log on disk — segments, offset and
// time indexes, recovery, retention, compaction, flush policy, leader epoch cache.
export { PartitionLog } from './partition-log.js';
export type { PartitionLogOptions, CleanerSegmentView } from './partition-log.js';
export { cleanLog } from './log-cleaner-clean.js';
export type { CleanJob, CleanSummary, CleanedGroup, CleanerSegment } from './log-cleaner-job.js';
export { LogCleaner, defaultLogCleanerConfig } from './log-cleaner.js';
export type { CleanableLog, LogCleanerConfig, LogCleanerOptions } from './log-cleaner.js';
export type { LogAppendInfo } from './log-append.js';
export { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from './log-read.js';
export type { LogReadOptions, LogReadInfo, TimestampAndOffset } from './log-read.js';
export { LogDirectory } from './log-directory.js';
export type { LogDirectoryOptions } from './log-directory.js';
export { defaultLogConfig, logConfig, LONG_MAX } from './log-config.js';
export type { LogConfig, FlushPolicy, TimestampType, CleanupPolicy } from './log-config.js';
export { LeaderEpochFileCache, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET } from './leader-epoch-file-cache.js';
export type { EpochEntry, EpochEndOffset } from './leader-epoch-file-cache.js';
export { OffsetCheckpointFile } from './offset-checkpoint-file.js';
export type { PartitionOffset } from './offset-checkpoint-file.js';
export { LogDirIo, nodeFileSystem } from './log-dir-io.js';
export { OpenFileBudget } from './open-file-budget.js';
export { StorageFile } from './storage-file.js';
export { PARTITION_METADATA_FILE, readPartitionTopicId, writePartitionMetadata } from './partition-metadata-file.js';
export type { FileSystem, FileStat } from './log-dir-io.js';
export {
  KafkaStorageError,
  CorruptSegmentError,
  CorruptRecordError,
  OffsetOutOfRangeError,
  UnexpectedAppendOffsetError,
  LogClosedError,
} from './storage-errors.js';
export type { AppendProblem } from './storage-errors.js';
export {
  LEADER_EPOCH_CHECKPOINT_FILE,
  RECOVERY_POINT_CHECKPOINT_FILE,
  LOG_START_OFFSET_CHECKPOINT_FILE,
  HIGH_WATERMARK_CHECKPOINT_FILE,
  CLEANER_OFFSET_CHECKPOINT_FILE,
  partitionDirName,
} from './log-file-names.js';
export type { TopicPartition } from './topic-partition.js';
export type { Logger } from './logger.js';
export type { AbortedTransaction, ActiveProducer, LeaderAppendOrigin, TxnMarker, VerificationGuard } from './transaction-types.js';
export { ProducerStateError } from './producer-state-errors.js';
