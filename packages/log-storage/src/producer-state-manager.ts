import { baseOffsetOfFile, compareOffsets, segmentFilePath } from './log-file-names.js';
import type { LogSegment, SegmentContext } from './log-segment.js';
import type { CompletedTxn, ProducerAppendInfo, TxnMetadata } from './producer-append-info.js';
import type { ProducerStateEntry } from './producer-state-entry.js';
import { CorruptProducerSnapshotError, PRODUCER_SNAPSHOT_FILE_SUFFIX, decodeProducerSnapshot, encodeProducerSnapshot } from './producer-state-snapshot.js';
import { topicPartitionName } from './topic-partition.js';
import type { ActiveProducer, VerificationGuard } from './transaction-types.js';

/** What every manager's snapshot writes start after: most never write one before close. */
const settled = Promise.resolve();

/**
 * A partition's producer state (Kafka's ProducerStateManager): every
 * producer's ProducerStateEntry, the open transactions by first offset, and
 * the completed ones whose marker the high watermark has not passed yet —
 * together what firstUnstableOffset answers from. Changes come only from
 * committed writes (update, completeTxn) and from the log losing batches
 * (truncation reloads; the log start offset moving forgets only completed
 * transactions below it: producers stay until they expire, as in Kafka 3.x).
 * Snapshots are `<offset>.snapshot` files (ProducerSnapshot v1, see
 * encodeProducerSnapshot), written behind the caller, one at a time. Each
 * map is made when it gets its first entry: most partitions never see a
 * producer id, and a broker holds thousands of them. Not thread-safe; owned
 * by the partition's broker loop.
 */
export class ProducerStateManager {
  private producers: Map<bigint, ProducerStateEntry> | undefined;
  /** Open transactions by first offset, in offset order. */
  private ongoing: Map<bigint, TxnMetadata> | undefined;
  /** The greatest first offset put in `ongoing` since it was last cleared: a smaller one must be sorted in. */
  private ongoingMax: bigint | undefined;
  /** Completed transactions by first offset until the high watermark passes their marker. */
  private unreplicated: Map<bigint, CompletedTxn> | undefined;
  private snapshotWrites: Promise<void> = settled;
  /**
   * The snapshot last loaded, or last written (counted from when it is
   * queued; forgotten if it fails or is deleted): a snapshot of the same
   * state at the same offset is not written again, as Kafka skips one at
   * the offset of the last — so closing a log that did not change since
   * it opened from its snapshot writes nothing.
   */
  private latestSnapshot: { offset: bigint; content: Buffer } | undefined;
  /**
   * The offsets of the snapshot files in the directory, ascending, as this
   * manager's own writes and deletions left them since the directory was
   * last listed (by the log's loader, or here); undefined when unknown (a
   * write or deletion failed midway), and the directory is listed again.
   * Every snapshot file of a partition is written and deleted here, so
   * opening, truncating and closing a log list its directory at most once.
   */
  private onDisk: bigint[] | undefined;
  /** Verification guards by producer id with when each was taken (Kafka's verificationStates): in memory only, a restart voids them. */
  private guards: Map<bigint, { guard: VerificationGuard; takenMs: number }> | undefined;

  /** `listed`: the names in the partition's directory, when the caller has just listed it. */
  constructor(
    private readonly ctx: SegmentContext,
    listed?: readonly string[],
  ) {
    if (listed !== undefined) this.onDisk = snapshotOffsetsIn(listed);
  }

  lastEntry(producerId: bigint): ProducerStateEntry | undefined {
    return this.producers?.get(producerId);
  }

  /** Swaps in what an append staged for one producer; a transactional batch or marker clears its verification guard. */
  update(info: ProducerAppendInfo): void {
    (this.producers ??= new Map()).set(info.producerId, info.updated);
    for (const txn of info.startedTxns) this.startTxn(txn);
    if (info.updated.currentTxnFirstOffset >= 0n) this.guards?.delete(info.producerId);
  }

  /** See PartitionLog.verificationGuard. */
  verificationGuard(producerId: bigint): VerificationGuard {
    const held = this.guards?.get(producerId);
    if (held !== undefined) return held.guard;
    const guard: VerificationGuard = { producerId };
    (this.guards ??= new Map()).set(producerId, { guard, takenMs: this.ctx.clock() });
    return guard;
  }

  /** Whether `guard` is still the one recorded for its producer. */
  holdsGuard(guard: VerificationGuard): boolean {
    return this.guards?.get(guard.producerId)?.guard === guard;
  }

  /** Keeps `ongoing` in offset order: a follower's append staged per producer may start them out of order. */
  private startTxn(txn: TxnMetadata): void {
    const inOrder = this.ongoingMax === undefined || txn.firstOffset > this.ongoingMax;
    const ongoing = (this.ongoing ??= new Map());
    ongoing.set(txn.firstOffset, txn);
    if (inOrder) {
      this.ongoingMax = txn.firstOffset;
      return;
    }
    const sorted = [...ongoing.values()].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
    ongoing.clear();
    for (const t of sorted) ongoing.set(t.firstOffset, t);
  }

  /**
   * Ends a transaction whose marker was written to `segment` (undefined: a
   * replay over a segment whose index already has it): an abort goes to the
   * segment's transaction index with the last stable offset once it
   * is gone (the first offset of the earliest other open transaction, else
   * the offset after the marker — Kafka's).
   */
  completeTxn(txn: CompletedTxn, segment: LogSegment | undefined): void {
    this.guards?.delete(txn.producerId);
    if (txn.isAborted && segment !== undefined) {
      segment.txnIndex.append({ producerId: txn.producerId, firstOffset: txn.firstOffset, lastOffset: txn.lastOffset, lastStableOffset: this.lastStableOffset(txn) });
    }
    this.ongoing?.delete(txn.firstOffset);
    (this.unreplicated ??= new Map()).set(txn.firstOffset, txn);
  }

  private lastStableOffset(completed: CompletedTxn): bigint {
    for (const txn of this.ongoing?.values() ?? []) if (txn.producerId !== completed.producerId) return txn.firstOffset;
    return completed.lastOffset + 1n;
  }

  /** See PartitionLog.firstUnstableOffset. Completed transactions below `highWatermark` are forgotten. */
  firstUnstableOffset(highWatermark: bigint): bigint | undefined {
    let first: bigint | undefined;
    const unreplicated = this.unreplicated;
    for (const [firstOffset, txn] of unreplicated ?? []) {
      if (txn.lastOffset < highWatermark) unreplicated!.delete(firstOffset);
      else if (first === undefined || firstOffset < first) first = firstOffset;
    }
    for (const firstOffset of this.ongoing?.keys() ?? []) {
      if (first === undefined || firstOffset < first) first = firstOffset;
      break;
    }
    return first;
  }

  activeProducers(): ActiveProducer[] {
    return [...(this.producers?.values() ?? [])].map((e) => ({
      producerId: e.producerId,
      producerEpoch: e.producerEpoch,
      lastSequence: e.lastSeq,
      lastTimestamp: e.lastTimestamp,
      coordinatorEpoch: e.coordinatorEpoch,
      currentTxnStartOffset: e.currentTxnFirstOffset,
    }));
  }

  /**
   * Drops producers with no open transaction whose last write is
   * `producerIdExpirationMs` or more before `nowMs`; returns how many. Guards
   * taken that long ago go too (a verification whose batch never came).
   */
  removeExpiredProducers(nowMs: number, producerIdExpirationMs: number): number {
    const { guards, producers } = this;
    for (const [producerId, { takenMs }] of guards ?? []) if (takenMs <= nowMs - producerIdExpirationMs) guards!.delete(producerId);
    const horizon = BigInt(nowMs) - BigInt(producerIdExpirationMs);
    let removed = 0;
    for (const [producerId, entry] of producers ?? []) {
      if (entry.currentTxnFirstOffset < 0n && entry.lastTimestamp <= horizon) {
        producers!.delete(producerId);
        removed++;
      }
    }
    return removed;
  }

  /**
   * The log start offset moved to `logStartOffset` (DeleteRecords, retention;
   * Kafka 3.x's onLogStartOffsetIncremented): completed transactions whose
   * marker lies below it are forgotten. Producers stay, whether or not their
   * batches do, so a retry of a batch now below the start is still answered
   * as a duplicate and an older epoch still fenced until the producer
   * expires (producer.id.expiration.ms); an open transaction wholly below it
   * stays open too (firstUnstableOffset is clamped to the log start) until
   * its marker or the coordinator's abort ends it.
   */
  onLogStartOffsetIncremented(logStartOffset: bigint): void {
    const unreplicated = this.unreplicated;
    for (const [firstOffset, txn] of unreplicated ?? []) if (txn.lastOffset < logStartOffset) unreplicated!.delete(firstOffset);
  }

  /** Forgets everything (the log was emptied). */
  clear(): void {
    this.producers = undefined;
    this.ongoing = undefined;
    this.ongoingMax = undefined;
    this.unreplicated = undefined;
  }

  /** Replaces the state with a snapshot's entries. */
  loadEntries(entries: readonly ProducerStateEntry[]): void {
    this.clear();
    const started: TxnMetadata[] = [];
    for (const entry of entries) {
      (this.producers ??= new Map()).set(entry.producerId, entry);
      if (entry.currentTxnFirstOffset >= 0n) started.push({ producerId: entry.producerId, firstOffset: entry.currentTxnFirstOffset });
    }
    started.sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
    for (const txn of started) this.startTxn(txn);
  }

  /**
   * Writes the state as `<offset>.snapshot`: encoded now, written behind the
   * caller after the writes before it, unless the latest snapshot holds the
   * same bytes at the same offset; a failure is logged (the next load
   * replays from an older one).
   */
  takeSnapshot(offset: bigint): Promise<void> {
    const content = encodeProducerSnapshot(this.producers?.values() ?? []);
    if (this.latestSnapshot?.offset === offset && this.latestSnapshot.content.equals(content)) return this.snapshotWrites;
    const path = this.snapshotPath(offset);
    const snapshot = { offset, content };
    this.latestSnapshot = snapshot;
    this.snapshotWrites = this.snapshotWrites.then(async () => {
      try {
        await this.ctx.io.writeFileAtomic(path, content);
        this.noteOnDisk(offset);
      } catch (error) {
        // The file may or may not be there (renamed, then the directory's sync failed): the next use lists the directory.
        this.onDisk = undefined;
        if (this.latestSnapshot === snapshot) this.latestSnapshot = undefined;
        this.ctx.logger.error('Failed to write a producer state snapshot', { partition: topicPartitionName(this.ctx.topicPartition), path, error });
      }
    });
    return this.snapshotWrites;
  }

  /** Resolves when the snapshot writes queued so far are done. */
  snapshotsDone(): Promise<void> {
    return this.snapshotWrites;
  }

  /** The offsets of the snapshot files in the partition's directory, ascending. */
  async snapshotOffsets(): Promise<bigint[]> {
    await this.snapshotWrites;
    this.onDisk ??= snapshotOffsetsIn(await this.ctx.io.readdir(this.ctx.dir));
    return [...this.onDisk];
  }

  /** True when the state is empty and no snapshot is known to be on disk: one would hold nothing a replay could not rebuild. */
  get emptyWithoutSnapshots(): boolean {
    return (this.producers === undefined || this.producers.size === 0) && this.onDisk?.length === 0;
  }

  /** Deletes the snapshots below `offset` except the latest snapshot of all. */
  async deleteSnapshotsBelow(offset: bigint): Promise<void> {
    const offsets = await this.snapshotOffsets();
    for (const o of offsets.slice(0, -1)) if (o < offset) await this.deleteSnapshot(o);
  }

  /**
   * Deletes the snapshots above `offset` (a truncation, or a crash that lost
   * their batches), then syncs the directory: an OS crash must not bring
   * back a snapshot whose batches are gone, which the next open would load.
   */
  async deleteSnapshotsAbove(offset: bigint): Promise<void> {
    let deleted = false;
    for (const o of await this.snapshotOffsets()) if (o > offset && (await this.deleteSnapshot(o))) deleted = true;
    if (deleted) await this.ctx.io.fsyncDir(this.ctx.dir);
  }

  /**
   * Loads the latest snapshot at or below `offset` that checks out and
   * returns its offset; a corrupt one is deleted, logged, and the next
   * older one tried. Without one the state is empty and undefined returned.
   */
  async loadLatestSnapshot(offset: bigint): Promise<bigint | undefined> {
    const offsets = (await this.snapshotOffsets()).filter((o) => o <= offset);
    for (let i = offsets.length - 1; i >= 0; i--) {
      const path = this.snapshotPath(offsets[i]!);
      try {
        const bytes = await this.ctx.io.readFileIfExists(path);
        if (bytes === undefined) continue;
        this.loadEntries(decodeProducerSnapshot(bytes));
        this.latestSnapshot = { offset: offsets[i]!, content: bytes };
        return offsets[i]!;
      } catch (error) {
        if (!(error instanceof CorruptProducerSnapshotError)) throw error;
        this.ctx.logger.warn('Deleting a corrupt producer state snapshot', { partition: topicPartitionName(this.ctx.topicPartition), path, error });
        await this.deleteSnapshot(offsets[i]!);
      }
    }
    this.clear();
    return undefined;
  }

  private async deleteSnapshot(offset: bigint): Promise<boolean> {
    if (this.latestSnapshot?.offset === offset) this.latestSnapshot = undefined;
    try {
      const deleted = await this.ctx.io.unlinkIfExists(this.snapshotPath(offset));
      this.onDisk = this.onDisk?.filter((o) => o !== offset);
      return deleted;
    } catch (error) {
      this.onDisk = undefined;
      throw error;
    }
  }

  private noteOnDisk(offset: bigint): void {
    const known = this.onDisk;
    if (known === undefined || known.includes(offset)) return;
    known.push(offset);
    known.sort(compareOffsets);
  }

  private snapshotPath(offset: bigint): string {
    return segmentFilePath(this.ctx.dir, offset, PRODUCER_SNAPSHOT_FILE_SUFFIX);
  }
}

/** The offsets of the producer snapshots among a directory's names, ascending. */
function snapshotOffsetsIn(names: readonly string[]): bigint[] {
  const offsets: bigint[] = [];
  for (const name of names) {
    const offset = baseOffsetOfFile(name, PRODUCER_SNAPSHOT_FILE_SUFFIX);
    if (offset !== undefined) offsets.push(offset);
  }
  return offsets.sort(compareOffsets);
}
