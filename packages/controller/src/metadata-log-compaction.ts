import type { Logger } from '@kstream/actor';
import { packMetadataBatch, snapshotRecords } from '@kstream/metadata';
import type { MetadataState } from '@kstream/metadata';
import type { MetadataLog } from './metadata-log.js';

/**
 * Compacts the metadata log to a snapshot of `state`, which must hold every
 * record the log does. The history the snapshot drops (fenced incarnations,
 * ISR changes, deleted topics, overwritten configs) is what a registering
 * broker is not sent either. A failure is logged: before the rename the log
 * is as it was; after it, appends sync the directory until it syncs.
 */
export async function compactMetadataLog(log: MetadataLog, state: MetadataState, logger: Logger): Promise<void> {
  const started = performance.now();
  const fromBytes = log.size;
  const records = snapshotRecords(state);
  try {
    // Packed in turns: at max.partitions the snapshot is 100000 records.
    await log.compact(await packMetadataBatch(records), records.length);
  } catch (error) {
    logger.warn('controller: compacting the metadata log failed', { path: log.path, error });
    return;
  }
  logger.info('controller: compacted the metadata log to a snapshot', {
    path: log.path,
    records: records.length,
    fromBytes,
    toBytes: log.size,
    nextOffset: log.nextOffset,
    ms: Math.round(performance.now() - started),
  });
}
