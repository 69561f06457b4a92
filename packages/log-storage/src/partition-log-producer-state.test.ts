import { ErrorCode } from '@kstream/protocol';
import { readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';
import type { PartitionLog } from './partition-log.js';
import { manualClock, openLog, recordingLogger } from './partition-log.test-support.js';
import { ProducerStateError } from './producer-state-errors.js';
import { markerBatch, producerBatch } from './producer-state.test-support.js';
import { batchesIn, makeBatch } from './record-batch.test-support.js';

const PID = 4000n;

async function refusal(append: Promise<unknown>): Promise<number> {
  const error = await append.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ProducerStateError)) throw new Error(`expected a ProducerStateError, got ${String(error)}`);
  return error.errorCode;
}

function snapshotFiles(dir: string): string[] {
  return readdirSync(partitionDir(dir))
    .filter((n) => n.endsWith('.snapshot'))
    .sort();
}

describe('PartitionLog producer state: idempotence', () => {
  it('retriedBatchNotWrittenTwice: the retry is answered with the original offsets, nothing is written', async () => {
    const log = await openLog(tempLogDir());
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, records: 3 }), 0);
    const second = await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 3, records: 2 }), 0);
    const size = log.size;
    const retry = await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, records: 3 }), 0);
    expect(retry).toMatchObject({ firstOffset: 0n, lastOffset: 2n, duplicate: true });
    expect((await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 3, records: 2 }), 0)).firstOffset).toBe(second.firstOffset);
    expect([log.logEndOffset, log.size]).toEqual([5n, size]);
    await log.close();
  });

  it('duplicateUnderLogAppendTime: the retry gets the time stamped on the original', async () => {
    const clock = manualClock();
    const log = await openLog(tempLogDir(), { config: { messageTimestampType: 'LogAppendTime' }, clock: clock.now });
    const first = await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0 }), 0);
    clock.advance(5000);
    const retry = await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0 }), 0);
    expect(retry.logAppendTime).toBe(first.logAppendTime);
    await log.close();
  });

  it('retryOfABatchInTheSameWrite: a retry queued behind its original is answered once the write commits', async () => {
    const log = await openLog(tempLogDir());
    const [original, retry] = await Promise.all([
      log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, records: 2 }), 0),
      log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, records: 2 }), 0),
    ]);
    expect(original.duplicate).toBeUndefined();
    expect(retry).toMatchObject({ firstOffset: 0n, lastOffset: 1n, duplicate: true });
    expect(log.logEndOffset).toBe(2n);
    await log.close();
  });

  it('durableRetryWaitsForTheSync: a retry is not answered before its original is durable', async () => {
    const fs = new FaultyFileSystem();
    const log = await openLog(tempLogDir(), { fileSystem: fs, config: { flushPolicy: 'durable' } });
    await log.appendAsLeader(producerBatch({ producerId: PID + 1n, epoch: 0, seq: 0 }), 0);
    const release = fs.holdSyncs();
    const answered: string[] = [];
    const original = log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0 }), 0).then(() => answered.push('original'));
    const sameWrite = log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0 }), 0).then(() => answered.push('retry in the same write'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const later = log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0 }), 0).then(() => answered.push('retry after'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(answered).toEqual([]);
    release();
    await Promise.all([original, sameWrite, later]);
    expect(answered).toHaveLength(3);
    expect(log.logEndOffset).toBe(2n);
    await log.close();
  });

  it('checksRefuseWithKafkasCodes: gap, old epoch, new epoch not at 0, several producer batches', async () => {
    const log = await openLog(tempLogDir());
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 1, seq: 0 }), 0);
    expect(await refusal(log.appendAsLeader(producerBatch({ producerId: PID, epoch: 1, seq: 2 }), 0))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await refusal(log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 1 }), 0))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await refusal(log.appendAsLeader(producerBatch({ producerId: PID, epoch: 2, seq: 5 }), 0))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    const two = Buffer.concat([producerBatch({ producerId: PID, epoch: 1, seq: 1 }), producerBatch({ producerId: PID, epoch: 1, seq: 2 })]);
    expect(await refusal(log.appendAsLeader(two, 0))).toBe(ErrorCode.INVALID_RECORD);
    expect(log.logEndOffset).toBe(1n);
    expect((await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 2, seq: 0 }), 0)).firstOffset).toBe(1n);
    await log.close();
  });

  it('unknownProducerAtAnySequence: a producer with no state here starts wherever it is', async () => {
    const log = await openLog(tempLogDir());
    expect((await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 3, seq: 77, timestamp: 1_700_000_000_000n }), 0)).firstOffset).toBe(0n);
    expect(log.activeProducers()).toEqual([
      { producerId: PID, producerEpoch: 3, lastSequence: 77, lastTimestamp: 1_700_000_000_000n, coordinatorEpoch: -1, currentTxnStartOffset: -1n },
    ]);
    await log.close();
  });

  it('coordinatorOriginSkipsSequences: epochs are still checked', async () => {
    const log = await openLog(tempLogDir());
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 1, seq: 0, transactional: true }), 0, 'coordinator');
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 1, seq: 0, transactional: true }), 0, 'coordinator');
    expect(log.logEndOffset).toBe(2n);
    expect(await refusal(log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, transactional: true }), 0, 'coordinator'))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    await log.close();
  });

  it('dedupAfterCloseAndReopen: the close snapshot carries the last batch', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, records: 2 }), 0);
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 2, records: 2 }), 0);
    await log.close();
    expect(snapshotFiles(dir)).toEqual(['00000000000000000004.snapshot']);
    const reopened = await openLog(dir, { recoveryPoint: 4n });
    expect(await reopened.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 2, records: 2 }), 0)).toMatchObject({ firstOffset: 2n, duplicate: true });
    expect(await refusal(reopened.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 5 }), 0))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    await reopened.close();
  });

  it('dedupAfterCrash: reopened from the roll snapshot and a replay of the segment after it', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { fileSystem: fs });
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, records: 2 }), 0);
    await log.roll();
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 2, records: 2 }), 0);
    await log.appendAsLeader(producerBatch({ producerId: PID + 1n, epoch: 0, seq: 0 }), 0);
    await log.flush();
    await fs.crash();
    expect(snapshotFiles(dir)).toEqual(['00000000000000000002.snapshot']);
    const reopened = await openLog(dir);
    expect(reopened.logEndOffset).toBe(5n);
    expect(await reopened.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 2, records: 2 }), 0)).toMatchObject({ firstOffset: 2n, duplicate: true });
    expect(await reopened.appendAsLeader(producerBatch({ producerId: PID + 1n, epoch: 0, seq: 0 }), 0)).toMatchObject({ firstOffset: 4n, duplicate: true });
    expect(reopened.logEndOffset).toBe(5n);
    await reopened.close();
  });

  it('replayWalksLargeAndSmallBatches: headers found past large bodies and across read chunks, markers read whole', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { fileSystem: fs });
    const big = producerBatch({ producerId: PID + 9n, epoch: 0, seq: 0, records: 1 });
    for (let i = 0; i < 3; i++) await log.appendAsLeader(makeBatch({ bodyBytes: 300 * 1024 }), 0);
    await log.appendAsLeader(big, 0);
    for (let i = 0; i < 150; i++) await log.appendAsLeader(makeBatch({ bodyBytes: 10_000 + i }), 0);
    for (let seq = 0; seq < 400; seq++) await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq, records: 1 }), 0);
    await log.appendAsLeader(producerBatch({ producerId: PID + 1n, epoch: 0, seq: 0, transactional: true }), 0);
    await log.appendAsLeader(makeBatch({ bodyBytes: 2 * 1024 * 1024 }), 0);
    await log.appendTxnMarker({ producerId: PID + 1n, producerEpoch: 0, coordinatorEpoch: 0, commit: false }, 0);
    await fs.crash();
    const reopened = await openLog(dir);
    expect(await reopened.appendAsLeader(big, 0)).toMatchObject({ firstOffset: 3n, duplicate: true });
    expect(await reopened.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 399 }), 0)).toMatchObject({ firstOffset: 553n, duplicate: true });
    expect(reopened.collectAbortedTransactions(0n, 1000n)).toEqual([{ producerId: PID + 1n, firstOffset: 554n }]);
    await reopened.close();
  });

  it('unreadableMarkerBelowTheRecoveryPoint: logged and skipped by the replay, the log still opens', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, transactional: true }), 0);
    await log.appendTxnMarker({ producerId: PID, producerEpoch: 0, coordinatorEpoch: 0, commit: true }, 0);
    await log.close();
    for (const name of snapshotFiles(dir)) unlinkSync(join(partitionDir(dir), name));
    const path = join(partitionDir(dir), '00000000000000000000.log');
    const bytes = readFileSync(path);
    const markerAt = batchesIn(bytes)[0]!.size;
    bytes[markerAt + 65] = 0x31; // the control key's length varint: -25
    writeFileSync(path, bytes);
    const logger = recordingLogger();
    const reopened = await openLog(dir, { recoveryPoint: 2n, logger });
    expect(logger.entries.map((e) => e.msg)).toEqual(['Unreadable transaction marker skipped while loading producer state']);
    expect(reopened.logEndOffset).toBe(2n);
    await reopened.close();
  });

  it('corruptSnapshotFallsBack: deleted, logged, the older one and a longer replay used', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0 }), 0);
    await log.roll();
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 1 }), 0);
    await log.close();
    expect(snapshotFiles(dir)).toEqual(['00000000000000000001.snapshot', '00000000000000000002.snapshot']);
    writeFileSync(join(partitionDir(dir), '00000000000000000002.snapshot'), 'not a snapshot');
    const logger = recordingLogger();
    const reopened = await openLog(dir, { recoveryPoint: 2n, logger });
    expect(logger.entries.map((e) => e.msg)).toEqual(['Deleting a corrupt producer state snapshot']);
    expect(await reopened.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 1 }), 0)).toMatchObject({ firstOffset: 1n, duplicate: true });
    await reopened.close();
  });

  it('followerReplayThenLeader: a new leader deduplicates the retry of a batch it copied as follower', async () => {
    const leader = await openLog(tempLogDir());
    const follower = await openLog(tempLogDir());
    for (const [seq, records] of [
      [0, 2],
      [2, 1],
    ] as const) {
      const batch = producerBatch({ producerId: PID, epoch: 0, seq, records });
      await leader.appendAsLeader(batch, 0);
      await follower.appendAsFollower(batch);
    }
    expect(follower.activeProducers()).toEqual(leader.activeProducers());
    expect(await follower.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, records: 2 }), 1)).toMatchObject({ firstOffset: 0n, duplicate: true });
    expect(await refusal(follower.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 9 }), 1))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    await leader.close();
    await follower.close();
  });

  it('truncationReloads: the state goes back to what the remaining batches say, later snapshots deleted', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0 }), 0);
    await log.roll();
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 1 }), 0);
    await log.roll();
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 2 }), 0);
    await log.truncateTo(1n);
    expect(snapshotFiles(dir)).toEqual(['00000000000000000001.snapshot']);
    expect(log.activeProducers()[0]!.lastSequence).toBe(0);
    expect(await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 1 }), 0)).toMatchObject({ firstOffset: 1n });
    await log.truncateFullyAndStartAt(10n);
    expect([log.activeProducers(), snapshotFiles(dir)]).toEqual([[], []]);
    await log.close();
  });

  it('expiry: an idle producer without an open transaction is forgotten, then accepted at any sequence', async () => {
    const log = await openLog(tempLogDir());
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, timestamp: 1000n }), 0);
    await log.appendAsLeader(producerBatch({ producerId: PID + 1n, epoch: 0, seq: 0, timestamp: 1000n, transactional: true }), 0);
    await log.appendAsLeader(producerBatch({ producerId: PID + 2n, epoch: 0, seq: 0, timestamp: 5000n }), 0);
    expect(log.removeExpiredProducers(2000, 1000)).toBe(1);
    expect(log.activeProducers().map((p) => p.producerId)).toEqual([PID + 1n, PID + 2n]);
    expect((await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 40 }), 0)).duplicate).toBeUndefined();
    await log.close();
  });

  it('unchangedSnapshotNotRewritten: closing a log whose producers did not change since it opened writes no snapshot; one that expired a producer does', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, timestamp: 1000n }), 0);
    await log.appendAsLeader(producerBatch({ producerId: PID + 1n, epoch: 0, seq: 0, timestamp: 5000n }), 0);
    await log.close();
    const snapshot = join(partitionDir(dir), '00000000000000000002.snapshot');
    const written = readFileSync(snapshot);

    const fs = new FaultyFileSystem();
    const unchanged = await openLog(dir, { fileSystem: fs, recoveryPoint: 2n });
    await unchanged.close();
    expect(fs.writeCalls).toEqual([]);

    const expiring = await openLog(dir, { fileSystem: fs, recoveryPoint: 2n });
    expect(expiring.removeExpiredProducers(2000, 1000)).toBe(1);
    await expiring.close();
    expect(fs.writeCalls).toEqual([`${snapshot}.tmp`]);
    expect(readFileSync(snapshot).equals(written)).toBe(false);
    const reopened = await openLog(dir, { recoveryPoint: 2n });
    expect(reopened.activeProducers().map((p) => p.producerId)).toEqual([PID + 1n]);
    await reopened.close();
  });

  it('logStartOffsetKeepsProducersBelowIt: their state and open transactions stay (Kafka 3.x), completed transactions and the snapshots below it but the latest go', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, transactional: true }), 0);
    expect(log.firstUnstableOffset(0n)).toBe(0n);
    await log.roll();
    await log.appendAsLeader(producerBatch({ producerId: PID + 1n, epoch: 0, seq: 0 }), 0);
    await log.roll();
    await log.appendAsLeader(producerBatch({ producerId: PID + 2n, epoch: 0, seq: 0 }), 0);
    await log.maybeIncrementLogStartOffset(2n);
    expect(log.activeProducers().map((p) => p.producerId)).toEqual([PID, PID + 1n, PID + 2n]);
    // The transaction wholly below the start stays open, clamped to the start, until its marker ends it.
    expect(log.firstUnstableOffset(0n)).toBe(2n);
    expect(snapshotFiles(dir)).toEqual(['00000000000000000002.snapshot']);
    const marker = await log.appendTxnMarker({ producerId: PID, producerEpoch: 0, coordinatorEpoch: 0, commit: false }, 0);
    expect(log.firstUnstableOffset(0n)).toBe(2n);
    await log.maybeIncrementLogStartOffset(marker.lastOffset + 1n);
    expect(log.firstUnstableOffset(0n)).toBeUndefined();
    await log.close();
  });

  it('retryBelowTheLogStartStillADuplicate: after DeleteRecords past its batch the retry gets the original offsets and an older epoch is fenced, also after a reopen', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 1, seq: 0, records: 2 }), 0);
    await log.roll();
    await log.appendAsLeader(producerBatch({ producerId: PID + 1n, epoch: 0, seq: 0 }), 0);
    await log.maybeIncrementLogStartOffset(2n);
    const check = async (l: PartitionLog): Promise<void> => {
      const size = l.size;
      expect(await l.appendAsLeader(producerBatch({ producerId: PID, epoch: 1, seq: 0, records: 2 }), 0)).toMatchObject({ firstOffset: 0n, lastOffset: 1n, duplicate: true });
      expect(await refusal(l.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 2 }), 0))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
      expect([l.logEndOffset, l.size]).toEqual([3n, size]);
    };
    await check(log);
    await log.close();
    const reopened = await openLog(dir, { recoveryPoint: 3n, logStartOffset: 2n });
    await check(reopened);
    expect((await reopened.appendAsLeader(producerBatch({ producerId: PID, epoch: 1, seq: 2 }), 0)).firstOffset).toBe(3n);
    await reopened.close();
  });

  it('firstUnstableOffsetNeverBelowTheLogStart: DeleteRecords into an open transaction moves it to the log start offset, as Kafka', async () => {
    const log = await openLog(tempLogDir());
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, records: 3, transactional: true }), 0);
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 3, transactional: true }), 0);
    await log.maybeIncrementLogStartOffset(2n);
    // Its last batch (offset 3) is still there: the transaction stays open, from the log start on.
    expect(log.activeProducers()[0]).toMatchObject({ producerId: PID, currentTxnStartOffset: 0n });
    expect(log.firstUnstableOffset(4n)).toBe(2n);
    await log.appendTxnMarker({ producerId: PID, producerEpoch: 0, coordinatorEpoch: 0, commit: true }, 0);
    expect(log.firstUnstableOffset(4n)).toBe(2n);
    expect(log.firstUnstableOffset(5n)).toBeUndefined();
    await log.close();
  });
});

describe('PartitionLog producer state: snapshots at open', () => {
  it('snapshotsBelowTheCheckpointedLogStartOffsetGoAtOpenTheLatestKeepsItsProducers: a producer whose batches are all below the start is still known', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    for (let seq = 0; seq < 3; seq++) {
      await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq }), 0);
      await log.roll();
    }
    await log.close();
    expect(snapshotFiles(dir)).toEqual(['00000000000000000001.snapshot', '00000000000000000002.snapshot', '00000000000000000003.snapshot']);
    const reopened = await openLog(dir, { recoveryPoint: 3n, logStartOffset: 3n });
    expect(snapshotFiles(dir)).toEqual(['00000000000000000003.snapshot']);
    // Its last batch is below the log start offset: the producer stays, its retry a duplicate (Kafka 3.x).
    expect(reopened.activeProducers()).toMatchObject([{ producerId: PID, lastSequence: 2 }]);
    expect(await reopened.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 2 }), 0)).toMatchObject({ firstOffset: 2n, duplicate: true });
    await reopened.close();
  });
});

describe('PartitionLog producer state: snapshots deleted by a truncation', () => {
  /** Records unlinks and fsyncs, by path, in the order they happen. */
  class SyncRecordingFileSystem extends FaultyFileSystem {
    readonly events: string[] = [];
    private readonly paths = new Map<number, string>();
    override async open(path: string, flags: string | number): Promise<number> {
      const fd = await super.open(path, flags);
      this.paths.set(fd, path);
      return fd;
    }
    override async fsync(fd: number): Promise<void> {
      await super.fsync(fd);
      this.events.push(`fsync ${this.paths.get(fd)}`);
    }
    override async unlink(path: string): Promise<void> {
      await super.unlink(path);
      this.events.push(`unlink ${path}`);
    }
  }

  it('deletedSnapshotsMadeDurable: the partition directory is synced after the snapshots above the new end go, so an OS crash cannot bring one back', async () => {
    const dir = tempLogDir();
    const fs = new SyncRecordingFileSystem();
    const log = await openLog(dir, { fileSystem: fs });
    for (let seq = 0; seq < 3; seq++) {
      await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq }), 0);
      await log.roll();
    }
    fs.events.length = 0;
    await log.truncateTo(1n);
    expect(snapshotFiles(dir)).toEqual(['00000000000000000001.snapshot']);
    const lastUnlink = fs.events.findLastIndex((e) => e.endsWith('.snapshot'));
    expect(fs.events[lastUnlink]).toBe(`unlink ${join(partitionDir(dir), '00000000000000000003.snapshot')}`);
    expect(fs.events.slice(lastUnlink + 1)).toContain(`fsync ${partitionDir(dir)}`);
    await log.close();
  });
});

describe('PartitionLog producer state: transactions', () => {
  async function openTxn(log: PartitionLog, pid: bigint, seq: number, records = 1): Promise<bigint> {
    return (await log.appendAsLeader(producerBatch({ producerId: pid, epoch: 0, seq, records, transactional: true }), 0)).firstOffset;
  }

  it('abortGoesToTheTxnIndex: with the last stable offset at the other open transaction', async () => {
    const log = await openLog(tempLogDir());
    await openTxn(log, PID, 0, 2);
    await openTxn(log, PID + 1n, 0);
    await openTxn(log, PID, 2);
    expect(log.firstUnstableOffset(0n)).toBe(0n);
    const marker = await log.appendTxnMarker({ producerId: PID, producerEpoch: 0, coordinatorEpoch: 5, commit: false }, 0);
    expect(marker.firstOffset).toBe(4n);
    expect(log.collectAbortedTransactions(0n, 10n)).toEqual([{ producerId: PID, firstOffset: 0n }]);
    expect(log.firstUnstableOffset(4n)).toBe(0n);
    expect(log.firstUnstableOffset(5n)).toBe(2n);
    await log.appendTxnMarker({ producerId: PID + 1n, producerEpoch: 0, coordinatorEpoch: 5, commit: true }, 0);
    expect(log.firstUnstableOffset(6n)).toBeUndefined();
    expect(log.collectAbortedTransactions(0n, 10n)).toEqual([{ producerId: PID, firstOffset: 0n }]);
    await log.close();
  });

  it('markersRefused: older producer epoch, fenced coordinator; nothing written', async () => {
    const log = await openLog(tempLogDir());
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 2, seq: 0, transactional: true }), 0);
    await log.appendTxnMarker({ producerId: PID, producerEpoch: 2, coordinatorEpoch: 7, commit: true }, 0);
    expect(await refusal(log.appendTxnMarker({ producerId: PID, producerEpoch: 1, coordinatorEpoch: 7, commit: false }, 0))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await refusal(log.appendTxnMarker({ producerId: PID, producerEpoch: 2, coordinatorEpoch: 6, commit: false }, 0))).toBe(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
    expect(log.logEndOffset).toBe(2n);
    expect(log.activeProducers()[0]).toMatchObject({ coordinatorEpoch: 7, currentTxnStartOffset: -1n });
    await log.close();
  });

  it('nonTransactionalBatchDuringTransaction: INVALID_TXN_STATE; control batches from clients refused', async () => {
    const log = await openLog(tempLogDir());
    await openTxn(log, PID, 0);
    expect(await refusal(log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 1 }), 0))).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(await refusal(log.appendAsLeader(markerBatch({ producerId: PID, epoch: 0, coordinatorEpoch: 1, commit: true }), 0))).toBe(ErrorCode.INVALID_RECORD);
    expect(log.logEndOffset).toBe(1n);
    await log.close();
  });

  it('followerReplaysMarkers: same aborted transactions, same unstable offset as the leader', async () => {
    const leader = await openLog(tempLogDir());
    const follower = await openLog(tempLogDir());
    await openTxn(leader, PID, 0, 2);
    await openTxn(leader, PID + 1n, 0);
    await leader.appendTxnMarker({ producerId: PID, producerEpoch: 0, coordinatorEpoch: 3, commit: false }, 0);
    await follower.appendAsFollower((await leader.read(0n)).records);
    expect(follower.logEndOffset).toBe(4n);
    expect(follower.collectAbortedTransactions(0n, 10n)).toEqual(leader.collectAbortedTransactions(0n, 10n));
    expect(follower.firstUnstableOffset(4n)).toBe(2n);
    expect(follower.activeProducers()).toEqual(leader.activeProducers());
    await leader.close();
    await follower.close();
  });

  it('followerAppendOfSeveralProducers: transactions started out of producer order still give the earliest as first unstable', async () => {
    const follower = await openLog(tempLogDir());
    const records = Buffer.concat([
      markerBatch({ producerId: PID, epoch: 0, coordinatorEpoch: 0, commit: false, baseOffset: 0n }),
      producerBatch({ producerId: PID + 1n, epoch: 0, seq: 0, transactional: true, baseOffset: 1n }),
      producerBatch({ producerId: PID, epoch: 0, seq: 0, transactional: true, baseOffset: 2n }),
    ]);
    await follower.appendAsFollower(records);
    expect(follower.firstUnstableOffset(3n)).toBe(1n);
    await follower.appendAsFollower(markerBatch({ producerId: PID + 1n, epoch: 0, coordinatorEpoch: 0, commit: true, baseOffset: 3n }));
    expect(follower.firstUnstableOffset(4n)).toBe(2n);
    await follower.close();
  });

  it('openTransactionSurvivesReopen: after close and after a crash (txn index rebuilt by recovery)', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { fileSystem: fs });
    await openTxn(log, PID, 0);
    await openTxn(log, PID + 1n, 0);
    await log.appendTxnMarker({ producerId: PID, producerEpoch: 0, coordinatorEpoch: 1, commit: false }, 0);
    await fs.crash();
    const txnIndex = join(partitionDir(dir), '00000000000000000000.txnindex');
    writeFileSync(txnIndex, Buffer.alloc(0));
    const reopened = await openLog(dir);
    expect(reopened.collectAbortedTransactions(0n, 10n)).toEqual([{ producerId: PID, firstOffset: 0n }]);
    expect(reopened.firstUnstableOffset(3n)).toBe(1n);
    await reopened.close();
    const again = await openLog(dir, { recoveryPoint: 3n });
    expect(again.firstUnstableOffset(3n)).toBe(1n);
    expect(again.collectAbortedTransactions(0n, 10n)).toEqual([{ producerId: PID, firstOffset: 0n }]);
    await again.close();
  });
});
