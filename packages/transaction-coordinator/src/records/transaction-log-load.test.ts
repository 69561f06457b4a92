import { describe, expect, it } from 'vitest';
import { MemoryTransactionLog } from '../test-support/memory-transaction-log.test-support.js';
import { encodeTransactionLogBatch } from './transaction-log-batch.js';
import { loadTransactionLogPartition } from './transaction-log-load.js';
import type { TransactionLogValue } from './transaction-log-record.js';
import { TransactionState } from './transaction-state.js';

function value(producerEpoch: number, state: TransactionState): TransactionLogValue {
  return {
    producerId: 7n,
    producerEpoch,
    transactionTimeoutMs: 1000,
    state,
    partitions: state === TransactionState.Ongoing ? [{ topic: 'orders', partition: 1 }] : [],
    lastUpdateTimestampMs: 10n,
    startTimestampMs: state === TransactionState.Empty ? -1n : 5n,
  };
}

async function seeded(): Promise<MemoryTransactionLog> {
  const log = new MemoryTransactionLog();
  log.lead(0, 0);
  await log.append(0, 0, encodeTransactionLogBatch([{ transactionalId: 'a', value: value(0, TransactionState.Empty) }], 1n));
  await log.append(
    0,
    0,
    encodeTransactionLogBatch(
      [
        { transactionalId: 'b', value: value(0, TransactionState.Empty) },
        { transactionalId: 'a', value: value(1, TransactionState.Ongoing) },
      ],
      2n,
    ),
  );
  await log.append(0, 0, encodeTransactionLogBatch([{ transactionalId: 'b', value: null }], 3n));
  return log;
}

describe('loadTransactionLogPartition', () => {
  it('lastValuePerIdWinsAndTombstonesRemove', async () => {
    const log = await seeded();
    const loaded = await loadTransactionLogPartition((offset, max) => log.read(0, offset, max), 0n, log.logEndOffset(0)!, 1 << 20, 0);
    expect([...loaded.keys()]).toEqual(['a']);
    expect(loaded.get('a')).toEqual(value(1, TransactionState.Ongoing));
  });

  it('readsInChunksOfTheLoadBufferSize', async () => {
    const log = await seeded();
    const reads: bigint[] = [];
    const loaded = await loadTransactionLogPartition(
      (offset, max) => {
        reads.push(offset);
        return log.read(0, offset, max);
      },
      0n,
      log.logEndOffset(0)!,
      1,
      0,
    );
    expect(reads).toEqual([0n, 1n, 3n]);
    expect(loaded.size).toBe(1);
  });

  it('stopsAtTheEndOffsetItWasGiven', async () => {
    const log = await seeded();
    const loaded = await loadTransactionLogPartition((offset, max) => log.read(0, offset, max), 0n, 3n, 1 << 20, 0);
    expect([...loaded.keys()].sort()).toEqual(['a', 'b']);
  });

  it('namesThePartitionAndOffsetOfACorruptBatch', async () => {
    const log = await seeded();
    const read = async (offset: bigint, max: number) => {
      const bytes = Buffer.from(await log.read(0, offset, max));
      bytes[bytes.length - 1]! ^= 0xff;
      return bytes;
    };
    await expect(loadTransactionLogPartition(read, 0n, 4n, 1 << 20, 3)).rejects.toThrow(/__transaction_state-3 at offset/);
  });
});
