// read_committed filtering of one partition's fetched data, as Kafka's
// consumer does it: the Fetch response lists the aborted transactions that
// overlap the returned range (producer id + first offset). Walking the
// batches in order, a producer's transaction becomes "aborted" once a batch
// reaches its first offset; that producer's transactional batches are then
// dropped until its ABORT marker (a control batch) closes the transaction.

export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

export class AbortedTransactions {
  /** Sorted by first offset; `#next` is the first not yet reached. */
  readonly #pending: AbortedTransaction[];
  #next = 0;
  readonly #abortedProducers = new Set<bigint>();

  constructor(aborted: readonly AbortedTransaction[]) {
    this.#pending = [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  }

  /** Marks the transactions that start at or before `lastOffset` (a batch's last offset) as open aborted ones. */
  reach(lastOffset: bigint): void {
    const pending = this.#pending;
    while (this.#next < pending.length && pending[this.#next]!.firstOffset <= lastOffset) {
      this.#abortedProducers.add(pending[this.#next]!.producerId);
      this.#next++;
    }
  }

  /** Whether a transactional data batch of `producerId` belongs to an aborted transaction. */
  isAborted(producerId: bigint): boolean {
    return this.#abortedProducers.has(producerId);
  }

  /** The producer's ABORT marker: its aborted transaction is over. */
  markerSeen(producerId: bigint): void {
    this.#abortedProducers.delete(producerId);
  }
}
