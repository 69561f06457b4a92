import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { encodeEndTxnMarkerBatch } from '@kstream/protocol';
import { COMPACTED, appendAt, cleanerFor, describeBatches, keyedBatch, readBatches, readCommitted } from './log-cleaner.test-support.js';
import { manualClock, openLog } from './partition-log.test-support.js';
import type { PartitionLog } from './partition-log.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';
import { encodeAbortedTxn } from './transaction-index.js';

const RETENTION = 1000;
const FIRST_TXN_INDEX = '00000000000000000000.txnindex';

const txnData = (key: string, value: string, producerId: bigint): Promise<Buffer> => keyedBatch([{ key, value }], { producerId, isTransactional: true });
/** A marker stamped like keyedBatch's records: a timestamp years apart would roll the segment (segment.ms). */
const marker = (commit: boolean, producerId: bigint): Promise<Buffer> =>
  encodeEndTxnMarkerBatch({ commit, producerId, producerEpoch: 0, coordinatorEpoch: 0, timestamp: 1_700_000_000_000 });

/** Appends a record of a fresh key and rolls: new dirty bytes, so the cleaner takes the log again. */
async function dirtyAgain(log: PartitionLog, tag: string): Promise<void> {
  await appendAt(log, await keyedBatch([{ key: `fresh-${tag}`, value: tag }]));
  await log.roll();
}

describe('compaction of transactions', () => {
  it('abortedDataGoesItsEntryStaysWithItsMarkerUntilTheMarkerIsRemovable (Kafka copies the entry into the cleaned segment)', async () => {
    const clock = manualClock();
    const dir = tempLogDir();
    const log = await openLog(dir, { config: { ...COMPACTED, deleteRetentionMs: RETENTION }, clock: clock.now });
    await appendAt(log, await txnData('k1', 'aborted', 7n));
    await appendAt(log, await keyedBatch([{ key: 'k2', value: 'plain' }]));
    await appendAt(log, await marker(false, 7n));
    await appendAt(log, await keyedBatch([{ key: 'p7', value: 'later' }], { producerId: 7n }));
    await log.roll();
    await log.flush();
    const entry = encodeAbortedTxn({ producerId: 7n, firstOffset: 0n, lastOffset: 2n, lastStableOffset: 3n });
    expect(readFileSync(join(partitionDir(dir), FIRST_TXN_INDEX))).toEqual(entry);
    const cleaner = await cleanerFor(log, { clock: clock.now });

    await cleaner.cleanFilthiestLog();
    expect(describeBatches(await readBatches(log))).toEqual(['1:k2=plain', '2:ABORT', '3:p7=later']);
    // The marker stays (this clean removed its data): so does its entry, as the source segment's index held it.
    expect(readFileSync(join(partitionDir(dir), FIRST_TXN_INDEX))).toEqual(entry);
    expect(log.collectAbortedTransactions(0n, log.logEndOffset)).toEqual([{ producerId: 7n, firstOffset: 0n }]);

    await dirtyAgain(log, 'a');
    await cleaner.cleanFilthiestLog(); // no batch of the transaction left: the marker gets its delete horizon, the entry goes
    expect(existsSync(join(partitionDir(dir), FIRST_TXN_INDEX))).toBe(false);
    expect(log.collectAbortedTransactions(0n, log.logEndOffset)).toEqual([]);
    clock.advance(RETENTION - 1);
    await dirtyAgain(log, 'b');
    await cleaner.cleanFilthiestLog();
    expect(describeBatches(await readBatches(log)).slice(0, 2)).toEqual(['1:k2=plain', '2:ABORT']);
    clock.advance(1);
    await dirtyAgain(log, 'c');
    await cleaner.cleanFilthiestLog();
    expect(describeBatches(await readBatches(log)).slice(0, 2)).toEqual(['1:k2=plain', '3:p7=later']);
    await log.close();
  });

  it('entryRebuiltWhenTheSourceIndexLacksIt: a kept ABORT whose entry never reached the file (written behind) gets one from the clean’s own walk', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir, { config: COMPACTED });
    await appendAt(log, await txnData('a', 'open-before', 4n));
    await appendAt(log, await txnData('k', 'aborted', 5n));
    await appendAt(log, await marker(false, 5n));
    await appendAt(log, await marker(true, 4n));
    await appendAt(log, await keyedBatch([{ key: 'z', value: 'last' }], { producerId: 5n }));
    await log.roll();
    await log.flush();
    rmSync(join(partitionDir(dir), FIRST_TXN_INDEX));
    await (await cleanerFor(log)).cleanFilthiestLog();
    // Producer 4's transaction, begun at 0, was still open when 5's aborted: the last stable offset stayed at 0.
    expect(readFileSync(join(partitionDir(dir), FIRST_TXN_INDEX))).toEqual(encodeAbortedTxn({ producerId: 5n, firstOffset: 1n, lastOffset: 2n, lastStableOffset: 0n }));
    await log.close();
  });

  it('laterGroupKeepsAProducersNextTransaction: a segment cleaned apart from the ABORT before it does not take the producer’s next transaction for the aborted one', async () => {
    const log = await openLog(tempLogDir(), { config: { ...COMPACTED, segmentBytes: 200 } });
    await appendAt(log, await txnData('a', 'aborted', 1n));
    await appendAt(log, await marker(false, 1n));
    await log.roll();
    await appendAt(log, await txnData('a', 'committed', 1n));
    await appendAt(log, await marker(true, 1n));
    await log.roll();
    const summary = await (await cleanerFor(log)).cleanFilthiestLog();
    expect(summary?.groups.length).toBe(2);
    expect(describeBatches(await readBatches(log))).toEqual(['1:ABORT', '2:a=committed', '3:COMMIT']);
    await log.close();
  });

  it('markerEndsItsTransactionInTheOffsetMap: a committed transaction after an aborted one of the same producer supersedes older values', async () => {
    const log = await openLog(tempLogDir(), { config: COMPACTED });
    await appendAt(log, await keyedBatch([{ key: 'a', value: 'old' }]));
    await appendAt(log, await txnData('b', 'aborted', 1n));
    await appendAt(log, await marker(false, 1n));
    await appendAt(log, await txnData('a', 'new', 1n));
    await appendAt(log, await marker(true, 1n));
    await log.roll();
    await (await cleanerFor(log)).cleanFilthiestLog();
    expect(await readCommitted(log)).toEqual(['3:a=new']);
    await log.close();
  });

  it('interleavedAbortsAllRemoved: a transaction begun before another but aborted after it still loses its first batch', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir, { config: COMPACTED });
    await appendAt(log, await txnData('a', 'p1-first', 1n));
    await appendAt(log, await txnData('b', 'p2', 2n));
    await appendAt(log, await marker(false, 2n));
    await appendAt(log, await txnData('c', 'p1-second', 1n));
    await appendAt(log, await marker(false, 1n));
    await appendAt(log, await keyedBatch([{ key: 'd', value: 'plain' }]));
    await appendAt(log, await keyedBatch([{ key: 'z1', value: 'p1-later' }], { producerId: 1n }));
    await appendAt(log, await keyedBatch([{ key: 'z2', value: 'p2-later' }], { producerId: 2n }));
    await log.roll();
    await (await cleanerFor(log)).cleanFilthiestLog();
    expect(describeBatches(await readBatches(log))).toEqual(['2:ABORT', '4:ABORT', '5:d=plain', '6:z1=p1-later', '7:z2=p2-later']);
    // Both markers stay, and with them both entries, listed by first offset.
    expect(log.collectAbortedTransactions(0n, log.logEndOffset)).toEqual([
      { producerId: 1n, firstOffset: 0n },
      { producerId: 2n, firstOffset: 1n },
    ]);
    await log.close();
  });

  it('committedTransactionalDataCompactedLikeOtherData: superseded committed records go; the COMMIT goes once no batch of its transaction is left and the horizon passed', async () => {
    const clock = manualClock();
    const log = await openLog(tempLogDir(), { config: { ...COMPACTED, deleteRetentionMs: RETENTION }, clock: clock.now });
    await appendAt(log, await txnData('x', 'v1', 8n));
    await appendAt(log, await txnData('y', 'kept', 8n));
    await appendAt(log, await marker(true, 8n));
    await appendAt(log, await keyedBatch([{ key: 'x', value: 'v2' }]));
    await log.roll();
    const cleaner = await cleanerFor(log, { clock: clock.now });
    await cleaner.cleanFilthiestLog();
    expect(describeBatches(await readBatches(log))).toEqual(['1:y=kept', '2:COMMIT', '3:x=v2']);
    await appendAt(log, await keyedBatch([{ key: 'y', value: 'overwritten' }]));
    await log.roll();
    await cleaner.cleanFilthiestLog(); // y's committed record goes; 8's last batch stays as a header, a batch of the transaction
    expect(describeBatches(await readBatches(log)).slice(0, 3)).toEqual(['1:', '2:COMMIT', '3:x=v2']);
    await appendAt(log, await keyedBatch([{ key: 'p8', value: 'later' }], { producerId: 8n }));
    await dirtyAgain(log, 'a');
    await cleaner.cleanFilthiestLog(); // the header is no longer 8's last: it goes
    expect(describeBatches(await readBatches(log)).slice(0, 3)).toEqual(['2:COMMIT', '3:x=v2', '4:y=overwritten']);
    await dirtyAgain(log, 'b');
    await cleaner.cleanFilthiestLog(); // no batch of the transaction was met: the COMMIT gets its delete horizon
    clock.advance(RETENTION);
    await dirtyAgain(log, 'c');
    await cleaner.cleanFilthiestLog();
    expect(describeBatches(await readBatches(log)).slice(0, 3)).toEqual(['3:x=v2', '4:y=overwritten', '5:p8=later']);
    await log.close();
  });

  it('nothingAtOrPastTheLastStableOffsetIsCleaned: the owner’s last stable offset, and the first offset of a transaction the log holds open, end the dirty section', async () => {
    const log = await openLog(tempLogDir(), { config: COMPACTED });
    await appendAt(log, await keyedBatch([{ key: 'a', value: 'v1' }]));
    await appendAt(log, await keyedBatch([{ key: 'a', value: 'v2' }]));
    await appendAt(log, await txnData('a', 'open', 3n));
    await appendAt(log, await keyedBatch([{ key: 'a', value: 'v4' }]));
    await log.roll();
    await appendAt(log, await keyedBatch([{ key: 'b', value: 'next' }]));
    await log.roll();
    let lastStableOffset = 1n; // the high watermark, say
    const cleaner = await cleanerFor(log, { lastStableOffset: () => lastStableOffset });
    expect((await cleaner.cleanFilthiestLog())?.endOffset).toBe('1');
    expect(describeBatches(await readBatches(log))).toEqual(['0:a=v1', '1:a=v2', '2:a=open', '3:a=v4', '4:b=next']);
    lastStableOffset = log.logEndOffset;
    expect((await cleaner.cleanFilthiestLog())?.endOffset).toBe('2');
    expect(describeBatches(await readBatches(log))).toEqual(['1:a=v2', '2:a=open', '3:a=v4', '4:b=next']);
    await appendAt(log, await marker(true, 3n));
    await log.roll();
    lastStableOffset = log.logEndOffset;
    await cleaner.cleanFilthiestLog();
    expect(describeBatches(await readBatches(log))).toEqual(['2:', '3:a=v4', '4:b=next', '5:COMMIT']);
    await log.close();
  });

  it('readCommittedSeesTheSameAfterAClean: aborted records never reappear, whichever segments the clean grouped', async () => {
    const log = await openLog(tempLogDir(), { config: { ...COMPACTED, segmentBytes: 400 } });
    for (let round = 0; round < 3; round++) {
      const p = BigInt(round + 1);
      await appendAt(log, await txnData('a', `aborted${round}`, p));
      await appendAt(log, await keyedBatch([{ key: `plain${round}`, value: 'v' }]));
      await appendAt(log, await txnData('b', `committed${round}`, p + 10n));
      await log.roll();
      await appendAt(log, await marker(false, p));
      await appendAt(log, await marker(true, p + 10n));
      await appendAt(log, await keyedBatch([{ key: `z${p}`, value: 'last' }], { producerId: p }));
      await log.roll();
    }
    const before = await readCommitted(log);
    expect(before.some((r) => r.includes('aborted'))).toBe(false);
    await (await cleanerFor(log)).cleanFilthiestLog();
    const after = await readCommitted(log);
    expect(after.filter((r) => !r.includes('=committed') || r.includes('committed2'))).toEqual(after);
    for (const record of after) expect(before).toContain(record);
    expect(describeBatches(await readBatches(log)).some((b) => b.includes('aborted'))).toBe(false);
    await log.close();
  });
});
