import { describe, expect, it } from 'vitest';
import { CompressionType, encodeEndTxnMarkerBatch } from '@kstream/protocol';
import { COMPACTED, appendAt, cleanerFor, describeBatches, keyedBatch, readBatches, readRecords } from './log-cleaner.test-support.js';
import { manualClock, openLog } from './partition-log.test-support.js';
import type { PartitionLog } from './partition-log.js';
import { tempLogDir } from './log-test-dir.test-support.js';

const RETENTION = 1000;

/** Appends a record of a fresh key and rolls: new dirty bytes, so the cleaner takes the log again. */
async function dirtyAgain(log: PartitionLog, tag: string): Promise<void> {
  await log.appendAsLeader(await keyedBatch([{ key: `fresh-${tag}`, value: tag }]), 0);
  await log.roll();
}

describe('what a clean keeps', () => {
  it("abortedTransactionsRemovedMarkersKeptUntilTheirDataIsGoneAndTheHorizonPassed (the aborted batch, its producer's last, stays as a header)", async () => {
    const clock = manualClock();
    const log = await openLog(tempLogDir(), { config: { ...COMPACTED, deleteRetentionMs: RETENTION }, clock: clock.now });
    await appendAt(log, await keyedBatch([{ key: 'k1', value: 'aborted' }], { producerId: 7n, isTransactional: true }));
    await appendAt(log, await keyedBatch([{ key: 'k2', value: 'plain' }]));
    await appendAt(log, await encodeEndTxnMarkerBatch({ commit: false, producerId: 7n, producerEpoch: 0, coordinatorEpoch: 0 }));
    await appendAt(log, await keyedBatch([{ key: 'k1', value: 'committed' }], { producerId: 8n, isTransactional: true }));
    await appendAt(log, await encodeEndTxnMarkerBatch({ commit: true, producerId: 8n, producerEpoch: 0, coordinatorEpoch: 0 }));
    await log.roll();
    const cleaner = await cleanerFor(log, { clock: clock.now });

    await cleaner.cleanFilthiestLog();
    expect(describeBatches(await readBatches(log))).toEqual(['0:', '1:k2=plain', '2:ABORT', '3:k1=committed', '4:COMMIT']);
    // Producer 7 writes again: its emptied batch is no longer its last, and goes.
    await appendAt(log, await keyedBatch([{ key: 'p7', value: 'later' }], { producerId: 7n }));
    await dirtyAgain(log, 'a');
    await cleaner.cleanFilthiestLog();
    expect(describeBatches(await readBatches(log)).slice(0, 4)).toEqual(['1:k2=plain', '2:ABORT', '3:k1=committed', '4:COMMIT']);
    await dirtyAgain(log, 'b');
    await cleaner.cleanFilthiestLog(); // no batch of the aborted transaction is left: the ABORT gets its delete horizon
    clock.advance(RETENTION - 1);
    await dirtyAgain(log, 'c');
    await cleaner.cleanFilthiestLog();
    expect(describeBatches(await readBatches(log)).slice(0, 4)).toEqual(['1:k2=plain', '2:ABORT', '3:k1=committed', '4:COMMIT']);
    clock.advance(1);
    await dirtyAgain(log, 'd');
    await cleaner.cleanFilthiestLog();
    // The COMMIT stays: its transaction's record is still there.
    expect(describeBatches(await readBatches(log)).slice(0, 3)).toEqual(['1:k2=plain', '3:k1=committed', '4:COMMIT']);
    await log.close();
  });

  it('openTransactionStopsTheClean: nothing at or past the first offset of a transaction without a marker is cleaned', async () => {
    const log = await openLog(tempLogDir(), { config: COMPACTED });
    await log.appendAsLeader(await keyedBatch([{ key: 'k', value: 'v0' }]), 0);
    await log.appendAsLeader(await keyedBatch([{ key: 't', value: 'open' }], { producerId: 3n, isTransactional: true }), 0);
    await log.appendAsLeader(await keyedBatch([{ key: 'k', value: 'v1' }]), 0);
    await log.roll();
    await log.appendAsLeader(await keyedBatch([{ key: 'k', value: 'v2' }]), 0);
    await log.roll();
    const summary = await (await cleanerFor(log)).cleanFilthiestLog();
    expect(summary?.endOffset).toBe('1');
    expect((await readRecords(log)).map((r) => r.value)).toEqual(['v0', 'open', 'v1', 'v2']);
    await log.close();
  });

  it('emptiedLastBatchOfAProducerKeptAsAHeader: its offsets and producer fields stay, without records', async () => {
    const log = await openLog(tempLogDir(), { config: COMPACTED });
    await appendAt(
      log,
      await keyedBatch(
        [
          { key: 'a', value: 'old' },
          { key: 'b', value: 'old' },
        ],
        { producerId: 9n },
      ),
    );
    await appendAt(log, await keyedBatch([{ key: 'c', value: 'old' }], { producerId: 4n }));
    await appendAt(log, await keyedBatch([{ key: 'c', value: 'new' }], { producerId: 4n }));
    await log.appendAsLeader(
      await keyedBatch([
        { key: 'a', value: 'new' },
        { key: 'b', value: 'new' },
      ]),
      0,
    );
    await log.roll();
    await (await cleanerFor(log)).cleanFilthiestLog();
    const batches = await readBatches(log);
    expect(batches.map((b) => [b.header.baseOffset, b.header.lastOffsetDelta, b.header.producerId, b.records.length])).toEqual([
      [0n, 1, 9n, 0],
      [3n, 0, 4n, 1],
      [4n, 1, -1n, 2],
    ]);
    await log.close();
  });

  it('compressedBatchesRecompressedWithTheirCodec: a batch losing records keeps its base offset, last offset and codec', async () => {
    const log = await openLog(tempLogDir(), { config: COMPACTED });
    for (const compression of [CompressionType.Gzip, CompressionType.Lz4, CompressionType.Zstd, CompressionType.Snappy]) {
      await log.appendAsLeader(
        await keyedBatch(
          [
            { key: `x${compression}`, value: 'old' },
            { key: `y${compression}`, value: 'kept' },
            { key: `z${compression}`, value: 'old' },
          ],
          { compression },
        ),
        0,
      );
    }
    const overwrites = [CompressionType.Gzip, CompressionType.Lz4, CompressionType.Zstd, CompressionType.Snappy].flatMap((c) => [
      { key: `x${c}`, value: 'new' },
      { key: `z${c}`, value: 'new' },
    ]);
    await log.appendAsLeader(await keyedBatch(overwrites), 0);
    await log.roll();
    await (await cleanerFor(log)).cleanFilthiestLog();
    const batches = await readBatches(log);
    expect(batches.slice(0, 4).map((b) => [b.header.baseOffset, b.header.lastOffsetDelta, b.attributes.compression, b.records.map((r) => String(r.value))])).toEqual([
      [0n, 2, CompressionType.Gzip, ['kept']],
      [3n, 2, CompressionType.Lz4, ['kept']],
      [6n, 2, CompressionType.Zstd, ['kept']],
      [9n, 2, CompressionType.Snappy, ['kept']],
    ]);
    expect(batches[0]!.records[0]!.offsetDelta).toBe(1);
    await log.close();
  });

  it('nullKeysAndUntouchedKeys: a record without a key goes; a key the dirty section does not hold keeps its clean record', async () => {
    const log = await openLog(tempLogDir(), { config: COMPACTED });
    await log.appendAsLeader(
      await keyedBatch([
        { key: 'only-clean', value: 'stays' },
        { key: null, value: 'keyless' },
      ]),
      0,
    );
    await log.roll();
    const cleaner = await cleanerFor(log);
    await cleaner.cleanFilthiestLog();
    await log.appendAsLeader(await keyedBatch([{ key: 'other', value: 'x' }]), 0);
    await log.roll();
    await cleaner.cleanFilthiestLog();
    expect((await readRecords(log)).map((r) => [r.offset, r.key, r.value])).toEqual([
      [0n, 'only-clean', 'stays'],
      [2n, 'other', 'x'],
    ]);
    await log.close();
  });
});
