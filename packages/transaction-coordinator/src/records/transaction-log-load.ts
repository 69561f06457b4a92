import { decodeTransactionLogRead } from './transaction-log-batch.js';
import { TransactionLogLoadError } from './transaction-log-load-error.js';
import type { TransactionLogValue } from './transaction-log-record.js';

/** Whole batches starting at or after `offset` (the first one whole even above `maxBytes`); empty when none. */
export type TransactionLogReader = (offset: bigint, maxBytes: number) => Promise<Buffer>;

/**
 * Reads a __transaction_state partition from `from` up to `to` (exclusive)
 * through `read`, chunk by chunk of `maxBytesPerRead`
 * (transaction.state.log.load.buffer.size), and returns the last value of
 * each transactional id, tombstones applied. Yields to the event loop between
 * chunks. Ends early when a read finds no more batches (the tail compacted
 * away). `partition` only names the partition in a TransactionLogLoadError.
 */
export async function loadTransactionLogPartition(
  read: TransactionLogReader,
  from: bigint,
  to: bigint,
  maxBytesPerRead: number,
  partition?: number,
): Promise<Map<string, TransactionLogValue>> {
  const loaded = new Map<string, TransactionLogValue>();
  let next = from;
  while (next < to) {
    const bytes = await read(next, maxBytesPerRead);
    const chunk = await decodeTransactionLogRead(bytes, partition);
    if (chunk.nextOffset === undefined) {
      if (bytes.length === 0) break;
      throw new TransactionLogLoadError(`a read of ${bytes.length} bytes held no whole batch`, next, partition);
    }
    for (const { offset, record } of chunk.records) {
      if (offset < next || offset >= to) continue;
      if (record.value === null) loaded.delete(record.transactionalId);
      else loaded.set(record.transactionalId, record.value);
    }
    if (chunk.nextOffset <= next) {
      throw new TransactionLogLoadError(`a read returned only batches before it (up to ${chunk.nextOffset - 1n})`, next, partition);
    }
    next = chunk.nextOffset;
    await new Promise(setImmediate);
  }
  return loaded;
}
