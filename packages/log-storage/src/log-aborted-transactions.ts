import type { LogSegments } from './log-segments.js';
import type { AbortedTransaction } from './transaction-types.js';

/**
 * Kafka's LocalLog.collectAbortedTransactions: the aborted transactions with
 * data in [startOffset, upperBoundOffset), from the transaction indexes of
 * the segment holding startOffset and those after it — an abort's entry
 * lives in the segment of its marker, which is at or after its data, so an
 * earlier segment holds none that reaches startOffset. The walk stops at the
 * first segment whose search is complete (an entry's last stable offset
 * reaches upperBoundOffset), as most fetches need one segment's index.
 * The list is sorted by first offset: Kafka sends it in abort order and
 * leaves the sort to clients, but kafkajs's read_committed consumer assumes
 * first-offset order and otherwise delivers aborted records.
 */
export function collectAbortedTransactions(segments: LogSegments, startOffset: bigint, upperBoundOffset: bigint): AbortedTransaction[] {
  const found: AbortedTransaction[] = [];
  const all = segments.all();
  const from = segments.floor(startOffset) ?? segments.first;
  for (let i = all.indexOf(from); i < all.length; i++) {
    const search = all[i]!.txnIndex.collect(startOffset, upperBoundOffset);
    for (const txn of search.abortedTxns) found.push({ producerId: txn.producerId, firstOffset: txn.firstOffset });
    if (search.isComplete) break;
  }
  return found.sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
}
