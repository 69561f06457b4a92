import { ControlRecordType, decodeRecordBatch, readAttributes, readControlRecordKey, lastOffsetOf, type RecordBatchHeader } from '@kstream/protocol';
import type { AbortedTxn } from './transaction-index.js';

/**
 * What the cleaner must know of the log's transactions, gathered from one
 * walk over every batch of the log (it runs off the log's loop, and sees
 * the log as its files hold it): the aborted transactions, with the last
 * stable offset at their marker as the log's transaction index records it
 * (the first offset of the oldest other transaction still open, else the
 * offset after the marker), and each producer's last data offset (Kafka's
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
      if (controlType === ControlRecordType.Abort) {
        // An abort of a transaction with no data here is indexed too, from its marker (as Kafka's producer state does).
        const marker = header.baseOffset;
        this.aborted.push({ producerId, firstOffset: first ?? marker, lastOffset: marker, lastStableOffset: this.firstUnstableOffset() ?? marker + 1n });
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
 * a COMMIT once none of its batches was met in this walk. An ABORT kept
 * because this walk met (and removed) batches of its transaction keeps its
 * transaction index entry too (`onAbortKept`, into the cleaned segment's
 * index), so read_committed fetches still learn of the abort while the
 * marker is there.
 */
export class CleanedTransactions {
  private next = 0;
  /** By first offset, as the walk meets them. */
  private aborted: readonly AbortedTxn[];
  private started = false;
  /** Aborted transactions begun by the offset reached, by producer; whether a batch of each was met. */
  private readonly ongoingAborted = new Map<bigint, { txn: AbortedTxn; sawBatch: boolean }>();
  private readonly ongoingCommitted = new Set<bigint>();

  constructor(
    aborted: readonly AbortedTxn[],
    private readonly onAbortKept: (txn: AbortedTxn) => void = () => {},
  ) {
    // In marker order a transaction begun earlier can end later: the walk needs them by first offset.
    this.aborted = [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  }

  /**
   * At the walk's first batch: an abort whose marker lies before it has no
   * batch in the walk (Kafka collects the aborts of the walked segments
   * only), and must not take a later transaction of its producer for its own.
   */
  private begin(header: RecordBatchHeader): void {
    if (this.started) return;
    this.started = true;
    this.aborted = this.aborted.filter((txn) => txn.lastOffset >= header.baseOffset);
  }

  private consumeAbortedUpTo(offset: bigint): void {
    while (this.next < this.aborted.length && this.aborted[this.next]!.firstOffset <= offset) {
      const txn = this.aborted[this.next]!;
      this.ongoingAborted.set(txn.producerId, { txn, sawBatch: false });
      this.next++;
    }
  }

  /** A data batch: true if it belongs to an aborted transaction (the clean removes it). */
  onBatchRead(header: RecordBatchHeader): boolean {
    this.begin(header);
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
    this.begin(header);
    this.consumeAbortedUpTo(lastOffsetOf(header));
    const producerId = header.producerId;
    if (type === ControlRecordType.Abort) {
      const aborted = this.ongoingAborted.get(producerId);
      this.ongoingAborted.delete(producerId);
      if (aborted === undefined || !aborted.sawBatch) return true;
      this.onAbortKept(aborted.txn);
      return false;
    }
    if (type === ControlRecordType.Commit) return !this.ongoingCommitted.delete(producerId);
    return false;
  }
}
