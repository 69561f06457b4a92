import type { BatchProblem } from '@kstream/protocol';
import { topicPartitionName, type TopicPartition } from './topic-partition.js';

/**
 * The typed errors of the log. The broker maps them to Kafka error codes:
 * KafkaStorageError (and CorruptSegmentError) → KAFKA_STORAGE_ERROR,
 * CorruptRecordError → CORRUPT_MESSAGE, OffsetOutOfRangeError →
 * OFFSET_OUT_OF_RANGE, UnexpectedAppendOffsetError → the follower's fetcher
 * truncates and retries.
 */

/** A log directory failed: an I/O error, or data on disk the log cannot use. */
export class KafkaStorageError extends Error {
  override readonly name: string = 'KafkaStorageError';
  constructor(
    message: string,
    readonly logDir: string,
    /** The errno code of the failed system call (ENOSPC, EIO...), when there was one. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A batch already stored failed its check when read back: never served, reported with its offset. */
export class CorruptSegmentError extends KafkaStorageError {
  override readonly name = 'CorruptSegmentError';
  constructor(
    readonly topicPartition: TopicPartition,
    /** Base offset of the bad batch as far as it could be read (the segment's base offset if not). */
    readonly offset: bigint,
    readonly file: string,
    readonly position: number,
    readonly problem: string,
    logDir: string,
  ) {
    super(`Corrupt record batch in ${topicPartitionName(topicPartition)} at offset ${offset} ` + `(${file}, position ${position}): ${problem}`, logDir);
  }
}

/** Why a batch handed to append was refused. */
export type AppendProblem = BatchProblem | { kind: 'bad-offset-range'; lastOffsetDelta: number; recordCount: number };

export function describeProblem(problem: AppendProblem): string {
  switch (problem.kind) {
    case 'incomplete':
      return `incomplete batch: needs ${problem.needed} bytes, ${problem.available} present`;
    case 'bad-length':
      return `batch length ${problem.batchLength} is below the v2 header size`;
    case 'bad-magic':
      return `magic ${problem.magic}, only magic 2 (RecordBatch v2) is stored`;
    case 'bad-crc':
      return `CRC32C mismatch: stored ${problem.stored}, computed ${problem.computed}`;
    case 'bad-offset-range':
      return `lastOffsetDelta ${problem.lastOffsetDelta} does not match recordCount ${problem.recordCount}`;
    default: {
      const unknown: never = problem;
      return `unknown problem ${JSON.stringify(unknown)}`;
    }
  }
}

/** An append carried a batch that is not a valid v2 batch; nothing of that append was written. */
export class CorruptRecordError extends Error {
  override readonly name = 'CorruptRecordError';
  constructor(
    readonly topicPartition: TopicPartition,
    /** Byte position of the bad batch within the appended buffer. */
    readonly position: number,
    readonly problem: AppendProblem,
  ) {
    super(`Rejected append to ${topicPartitionName(topicPartition)}: batch at byte ${position} of the request: ${describeProblem(problem)}`);
  }
}

/** A read or lookup asked for an offset outside [logStartOffset, logEndOffset]. */
export class OffsetOutOfRangeError extends Error {
  override readonly name = 'OffsetOutOfRangeError';
  constructor(
    readonly topicPartition: TopicPartition,
    readonly offset: bigint,
    readonly logStartOffset: bigint,
    readonly logEndOffset: bigint,
  ) {
    super(`Offset ${offset} is out of range for ${topicPartitionName(topicPartition)}: ` + `valid offsets are ${logStartOffset} to ${logEndOffset}`);
  }
}

/** A follower's batches do not continue the log: the first must start at the log end offset, each next one right after. */
export class UnexpectedAppendOffsetError extends Error {
  override readonly name = 'UnexpectedAppendOffsetError';
  constructor(
    readonly topicPartition: TopicPartition,
    readonly expectedOffset: bigint,
    readonly actualOffset: bigint,
  ) {
    super(`Follower append to ${topicPartitionName(topicPartition)} goes back: ` + `expected a batch at offset ${expectedOffset} or above, got one at ${actualOffset}`);
  }
}

/** The log was closed (or failed while closing) and must be reopened, or was deleted. */
export class LogClosedError extends Error {
  override readonly name = 'LogClosedError';
  constructor(
    readonly topicPartition: TopicPartition,
    readonly reason: 'closed' | 'deleted' = 'closed',
  ) {
    super(`The log of ${topicPartitionName(topicPartition)} ${reason === 'deleted' ? 'was deleted' : 'is closed'}`);
  }
}
