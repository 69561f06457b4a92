import { describe, expect, it, vi } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastOffsetOf, readBatchHeader } from '@kstream/protocol';
import { collectAbortedTransactions } from './log-aborted-transactions.js';
import { logConfig } from './log-config.js';
import { LogDirIo } from './log-dir-io.js';
import { LogSegment, type SegmentContext } from './log-segment.js';
import { LogSegments } from './log-segments.js';
import { silentLogger } from './logger.js';
import { appendAt, keyedBatch } from './log-cleaner.test-support.js';
import { openLog } from './partition-log.test-support.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';
import { makeBatch } from './record-batch.test-support.js';
import { ABORTED_TXN_SIZE, encodeAbortedTxn, type AbortedTxn } from './transaction-index.js';

function contextIn(dir: string): SegmentContext {
  return { io: new LogDirIo(dir), dir, topicPartition: { topic: 'orders', partition: 0 }, config: logConfig(), logger: silentLogger, clock: Date.now };
}

function txn(producerId: bigint, firstOffset: bigint, lastOffset: bigint, lastStableOffset = lastOffset + 1n): AbortedTxn {
  return { producerId, firstOffset, lastOffset, lastStableOffset };
}

/** Writes one single-record batch per offset in [from, to) into the segment. */
async function fill(segment: LogSegment, from: bigint, to: bigint): Promise<void> {
  for (let offset = from; offset < to; offset++) {
    const batch = makeBatch({ baseOffset: offset });
    await segment.write([batch]);
    segment.commitWrite([{ lastOffset: lastOffsetOf(readBatchHeader(batch)!), maxTimestamp: 1_700_000_000_000n, size: batch.length }], Date.now());
  }
}

const TXN_FILE = '00000000000000000000.txnindex';

describe('a segment’s transaction index', () => {
  it('lifecycle: no file until an abort, durable with flush(sync), reloaded on open, renamed .deleted and removed with the segment', async () => {
    const dir = tempLogDir();
    const ctx = contextIn(dir);
    const segment = await LogSegment.create(ctx, 0n);
    await segment.flush(true);
    expect(existsSync(join(dir, TXN_FILE))).toBe(false);
    segment.txnIndex.append(txn(5n, 0n, 3n));
    await segment.flush(true);
    expect(readFileSync(join(dir, TXN_FILE))).toEqual(encodeAbortedTxn(txn(5n, 0n, 3n)));
    segment.txnIndex.append(txn(6n, 1n, 4n));
    await segment.close();
    const reopened = await LogSegment.open(ctx, 0n);
    expect(reopened.txnIndex.all()).toEqual([txn(5n, 0n, 3n), txn(6n, 1n, 4n)]);
    reopened.retain();
    await reopened.delete();
    expect(readdirSync(dir).sort()).toContain(`${TXN_FILE}.deleted`);
    await reopened.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('truncateDropsAbortsAtOrAfterTheCut: an abort whose marker is truncated away leaves memory and file at once', async () => {
    const dir = tempLogDir();
    const segment = await LogSegment.create(contextIn(dir), 0n);
    await fill(segment, 0n, 10n);
    segment.txnIndex.append(txn(1n, 0n, 3n));
    segment.txnIndex.append(txn(2n, 4n, 7n));
    await segment.truncateTo(7n);
    expect(segment.txnIndex.all()).toEqual([txn(1n, 0n, 3n)]);
    expect(readFileSync(join(dir, TXN_FILE)).length).toBe(ABORTED_TXN_SIZE);
    await segment.truncateTo(2n);
    expect(segment.txnIndex.all()).toEqual([]);
    expect(existsSync(join(dir, TXN_FILE))).toBe(false);
    await segment.close();
  });

  it('createRemovesALeftoverTxnIndex: a new segment at a base offset that had one does not inherit its aborts', async () => {
    const dir = tempLogDir();
    writeFileSync(join(dir, TXN_FILE), encodeAbortedTxn(txn(9n, 0n, 5n)));
    const segment = await LogSegment.create(contextIn(dir), 0n);
    expect(segment.txnIndex.all()).toEqual([]);
    expect(existsSync(join(dir, TXN_FILE))).toBe(false);
    await segment.close();
  });

  it('renameForSwapTakesTheTxnIndexAlong: the replaced segment’s index goes .deleted, then away on the last release', async () => {
    const dir = tempLogDir();
    const segment = await LogSegment.create(contextIn(dir), 0n);
    segment.txnIndex.append(txn(1n, 0n, 3n));
    await segment.flush(true);
    await segment.renameForSwap();
    // An append reaching the replaced segment now must not recreate its file.
    await segment.txnIndex.flush();
    expect(readdirSync(dir).filter((n) => n.includes('txnindex'))).toEqual([`${TXN_FILE}.deleted`]);
    await segment.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('absentTxnIndexEverywhere: a segment without aborts opens, rolls, deletes and closes without a .txnindex ever appearing', async () => {
    const dir = tempLogDir();
    const ctx = contextIn(dir);
    const segment = await LogSegment.create(ctx, 0n);
    await fill(segment, 0n, 3n);
    await segment.close();
    const reopened = await LogSegment.open(ctx, 0n);
    expect(await reopened.loadIndexes(undefined)).toBeUndefined();
    await reopened.truncateTo(1n);
    await reopened.flush(true);
    expect(readdirSync(dir).some((n) => n.includes('txnindex'))).toBe(false);
    await reopened.delete();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('collectAbortedTransactions across segments', () => {
  async function threeSegments(): Promise<{ segments: LogSegments; list: LogSegment[] }> {
    const ctx = contextIn(tempLogDir());
    const list = [await LogSegment.create(ctx, 0n), await LogSegment.create(ctx, 10n), await LogSegment.create(ctx, 20n)];
    list[0]!.txnIndex.append(txn(1n, 2n, 5n, 6n));
    list[1]!.txnIndex.append(txn(2n, 8n, 12n, 9n));
    list[1]!.txnIndex.append(txn(3n, 9n, 15n, 16n));
    list[2]!.txnIndex.append(txn(4n, 14n, 22n, 23n));
    return { segments: new LogSegments(list), list };
  }

  it('fromTheSegmentHoldingTheStartOffset: earlier segments hold no abort reaching it and are not searched', async () => {
    const { segments, list } = await threeSegments();
    const first = vi.spyOn(list[0]!.txnIndex, 'collect');
    expect(collectAbortedTransactions(segments, 12n, 30n)).toEqual([
      { producerId: 2n, firstOffset: 8n },
      { producerId: 3n, firstOffset: 9n },
      { producerId: 4n, firstOffset: 14n },
    ]);
    expect(first).not.toHaveBeenCalled();
    for (const segment of list) await segment.close();
  });

  it('stopsAtACompleteSearch: once an entry’s last stable offset reaches the upper bound, later segments are not read', async () => {
    const { segments, list } = await threeSegments();
    const last = vi.spyOn(list[2]!.txnIndex, 'collect');
    // P3's abort left the last stable offset at 16: no transaction starting below 14 was open after it.
    expect(collectAbortedTransactions(segments, 10n, 14n)).toEqual([
      { producerId: 2n, firstOffset: 8n },
      { producerId: 3n, firstOffset: 9n },
    ]);
    expect(last).not.toHaveBeenCalled();
    for (const segment of list) await segment.close();
  });

  it('startBelowTheFirstSegment: a fetch from the log start searches from the first segment', async () => {
    const { segments, list } = await threeSegments();
    expect(collectAbortedTransactions(segments, 0n, 6n)).toEqual([{ producerId: 1n, firstOffset: 2n }]);
    expect(collectAbortedTransactions(segments, 6n, 8n)).toEqual([]);
    for (const segment of list) await segment.close();
  });
});

describe('a partition log’s aborted transactions', () => {
  it('abortsFollowRollTruncateAndReopen: each abort is listed from the segment of its marker; truncation drops it with the marker; a reopen reloads it', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    const abort = async (producerId: bigint): Promise<void> => {
      await appendAt(log, await keyedBatch([{ key: 'k', value: String(producerId) }], { producerId, isTransactional: true, timestamp: Date.now() }));
      await log.appendTxnMarker({ producerId, producerEpoch: 0, coordinatorEpoch: 0, commit: false }, 0);
    };
    await abort(1n); // offsets 0, 1
    await log.roll();
    await abort(2n); // offsets 2, 3
    await abort(3n); // offsets 4, 5
    expect(log.collectAbortedTransactions(0n, log.logEndOffset)).toEqual([
      { producerId: 1n, firstOffset: 0n },
      { producerId: 2n, firstOffset: 2n },
      { producerId: 3n, firstOffset: 4n },
    ]);
    expect(log.collectAbortedTransactions(2n, 4n)).toEqual([{ producerId: 2n, firstOffset: 2n }]);
    await log.truncateTo(5n);
    expect(log.collectAbortedTransactions(0n, log.logEndOffset)).toEqual([
      { producerId: 1n, firstOffset: 0n },
      { producerId: 2n, firstOffset: 2n },
    ]);
    await log.close();
    expect(readdirSync(partitionDir(dir)).filter((name) => name.endsWith('.txnindex'))).toEqual(['00000000000000000000.txnindex', '00000000000000000002.txnindex']);
    const reopened = await openLog(dir, { recoveryPoint: 5n });
    expect(reopened.collectAbortedTransactions(0n, reopened.logEndOffset)).toEqual([
      { producerId: 1n, firstOffset: 0n },
      { producerId: 2n, firstOffset: 2n },
    ]);
    await reopened.close();
  });

  it('truncationCutLostInACrash: aborts past a trusted segment’s end are dropped at open, so new batches there stay readable and the next abort is indexed', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    const data = (value: string): Promise<Buffer> => keyedBatch([{ key: 'k', value }], { producerId: 1n, isTransactional: true, timestamp: Date.now() });
    await appendAt(log, await data('a')); // offset 0: the transaction starts
    await appendAt(log, await data('b')); // offset 1
    await log.appendTxnMarker({ producerId: 1n, producerEpoch: 0, coordinatorEpoch: 0, commit: false }, 0); // offset 2
    await log.flush();
    const txnFile = join(partitionDir(dir), TXN_FILE);
    const beforeCut = readFileSync(txnFile);
    await log.truncateTo(1n);
    await log.close();
    // The .log's cut reached the disk, the .txnindex's did not.
    writeFileSync(txnFile, beforeCut);
    const reopened = await openLog(dir, { recoveryPoint: 1n });
    expect(reopened.logEndOffset).toBe(1n);
    expect(reopened.collectAbortedTransactions(0n, reopened.logEndOffset)).toEqual([]);
    expect(reopened.firstUnstableOffset(1n)).toBe(0n);
    const marker = await reopened.appendTxnMarker({ producerId: 1n, producerEpoch: 0, coordinatorEpoch: 0, commit: false }, 0);
    expect(marker.firstOffset).toBe(1n);
    expect(reopened.collectAbortedTransactions(0n, reopened.logEndOffset)).toEqual([{ producerId: 1n, firstOffset: 0n }]);
    await reopened.close();
  });
});
