import { ControlRecordType, decodeRecordBatch, readAttributes, readControlRecordKey, lastOffsetOf, type RecordBatchHeader } from '@kstream/protocol';

/** A transaction its ABORT marker ended: its data batches lie in [firstOffset, lastOffset] (the marker's offset). */
export interface AbortedTxn {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
}

/**
 * What the cleaner must know of the log's transactions, gathered from one
 * walk over every batch of the log (the log keeps no transaction index):
 * the aborted transactions, and each producer's last data offset (Kafka's
 * producer state), whose batch is kept even when emptied so the producer's
 * sequence survives.
 */
export class LogTransactionsScan {
  readonly aborted: AbortedTxn[] = [];
  readonly lastDataOffsets = new Map<bigint, bigint>();
  /** Per producer, the first offset of its transaction not yet ended by a marker. */
  private readonly open = new Map<bigint, bigint>();

  /** Feeds one batch, in log order; a control batch's type comes from its record (controlTypeOf). */
  visit(header: RecordBatchHeader, controlType: number | undefined): void {
    const attributes = readAttributes(header.attributes);
    const producerId = header.producerId;
    if (attributes.isControl) {
      const first = this.open.get(producerId);
      this.open.delete(producerId);
      if (controlType === ControlRecordType.Abort && first !== undefined) {
        this.aborted.push({ producerId, firstOffset: first, lastOffset: header.baseOffset });
      }
      return;
    }
    if (producerId >= 0n) this.lastDataOffsets.set(producerId, lastOffsetOf(header));
    if (attributes.isTransactional && !this.open.has(producerId)) this.open.set(producerId, header.baseOffset);
  }

  /** The first offset of the oldest transaction no marker has ended yet: the clean stops before it. */
  firstUnstableOffset(): bigint | undefined {
    let first: bigint | undefined;
    for (const offset of this.open.values()) if (first === undefined || offset < first) first = offset;
    return first;
  }
}

/** The type of a control batch's record (COMMIT, ABORT, ...), or undefined for an emptied one. */
export async function controlTypeOf(bytes: Buffer): Promise<number | undefined> {
  const decoded = await decodeRecordBatch(bytes, { verifyCrc: false });
  const first = decoded.records[0];
  return first === undefined ? undefined : readControlRecordKey(first.key).type;
}

/**
 * Kafka's CleanedTransactionMetadata, for one group of segments walked in
 * order: which data batches belong to an aborted transaction (removed), and
 * which markers may go — an ABORT once no batch of its transaction is left,
 * a COMMIT once none of its batches was met in this walk.
 */
export class CleanedTransactions {
  private next = 0;
  /** Aborted transactions begun by the offset reached, by producer; the batches of each seen so far. */
  private readonly ongoingAborted = new Map<bigint, { sawBatch: boolean }>();
  private readonly ongoingCommitted = new Set<bigint>();

  constructor(private readonly aborted: readonly AbortedTxn[]) {}

  private consumeAbortedUpTo(offset: bigint): void {
    while (this.next < this.aborted.length && this.aborted[this.next]!.firstOffset <= offset) {
      this.ongoingAborted.set(this.aborted[this.next]!.producerId, { sawBatch: false });
      this.next++;
    }
  }

  /** A data batch: true if it belongs to an aborted transaction (the clean removes it). */
  onBatchRead(header: RecordBatchHeader): boolean {
    this.consumeAbortedUpTo(lastOffsetOf(header));
    if (!readAttributes(header.attributes).isTransactional) return false;
    const aborted = this.ongoingAborted.get(header.producerId);
    if (aborted !== undefined) {
      aborted.sawBatch = true;
      return true;
    }
    this.ongoingCommitted.add(header.producerId);
    return false;
  }

  /** A control batch: true if the marker may be removed (once its delete horizon has passed). */
  onControlBatchRead(header: RecordBatchHeader, type: number | undefined): boolean {
    this.consumeAbortedUpTo(lastOffsetOf(header));
    const producerId = header.producerId;
    if (type === ControlRecordType.Abort) {
      const aborted = this.ongoingAborted.get(producerId);
      this.ongoingAborted.delete(producerId);
      return aborted === undefined || !aborted.sawBatch;
    }
    if (type === ControlRecordType.Commit) return !this.ongoingCommitted.delete(producerId);
    return false;
  }
}
