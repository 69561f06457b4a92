import { ErrorCode } from '@kstream/protocol';
import type { AppendBatch } from './append-validation.js';
import type { PendingAppend } from './log-append.js';
import type { LogSegment } from './log-segment.js';
import { ProducerAppendInfo, type CompletedTxn } from './producer-append-info.js';
import { hasProducerId, readProducerBatch, readTxnMarker, type ProducerBatch } from './producer-state-batch.js';
import type { BatchMetadata, ProducerStateEntry } from './producer-state-entry.js';
import { ProducerStateError } from './producer-state-errors.js';
import type { ProducerStateManager } from './producer-state-manager.js';
import { topicPartitionName, type TopicPartition } from './topic-partition.js';

// The producer-state step of the writer (PartitionLogAppender.takeGroup),
// for appends with a producer batch only. Each append is checked against
// the state as its write will leave it: the committed state plus what the
// earlier appends of the same write staged (`overlay`, producer id → staged
// entry); its own change is staged on copies, and applied by
// commitProducerState once the write commits — a write cut back or refused
// changes nothing.

/** The checked producer batch of a leader's append, to stage once it has offsets. */
export interface CheckedLeaderBatch {
  batch: AppendBatch;
  producer: ProducerBatch;
  info: ProducerAppendInfo;
  marker: { commit: boolean; coordinatorEpoch: number } | undefined;
}

/** A leader's append that repeats a batch already written (or staged earlier in the same write: `inWrite`). */
export interface DuplicateBatch {
  duplicate: BatchMetadata;
  inWrite: boolean;
}

/**
 * The checks of a leader's append before offsets are assigned: one producer
 * batch at most (INVALID_RECORD), a client's retry of a retained batch
 * (the duplicate returned), then epoch, sequence (client origin),
 * transaction state, the verification guard of a transactional batch
 * beginning a transaction (when the append carries one: INVALID_TXN_STATE if
 * a marker or another transactional batch cleared it), or for a marker
 * (coordinator origin only) epoch and coordinator epoch. Throws
 * ProducerStateError.
 */
export function checkLeaderProducerBatch(
  manager: ProducerStateManager,
  tp: TopicPartition,
  append: PendingAppend,
  overlay: Map<bigint, ProducerStateEntry> | undefined,
): CheckedLeaderBatch | DuplicateBatch {
  if (append.producerBatches > 1) {
    throw new ProducerStateError(ErrorCode.INVALID_RECORD, `${topicPartitionName(tp)}: ${append.producerBatches} batches with a producer id in one append, at most 1 allowed`);
  }
  const batch = append.batches.find((b) => hasProducerId(append.records, b.position))!;
  const producer = readProducerBatch(append.records, batch.position);
  const staged = overlay?.get(producer.producerId);
  const current = staged ?? manager.lastEntry(producer.producerId);
  const info = new ProducerAppendInfo(tp, producer.producerId, current, append.leaderOrigin);
  if (producer.isControl) {
    if (append.leaderOrigin === 'client') {
      throw new ProducerStateError(ErrorCode.INVALID_RECORD, `${topicPartitionName(tp)}: producer ${producer.producerId} sent a control batch; only coordinators write them`);
    }
    const marker = readTxnMarker(append.records, batch.position, batch.size, -1n);
    if (marker !== undefined) info.checkMarker(producer.producerEpoch, marker.coordinatorEpoch);
    return { batch, producer, info, marker };
  }
  if (append.leaderOrigin === 'client') {
    const duplicate = current?.findDuplicate(producer.producerEpoch, producer.firstSeq, producer.lastSeq);
    if (duplicate !== undefined) return { duplicate, inWrite: staged !== undefined };
  }
  info.checkDataBatch(producer.producerEpoch, producer.firstSeq, producer.isTransactional);
  const guard = append.verificationGuard;
  const beginsTxn = producer.isTransactional && (current?.currentTxnFirstOffset ?? -1n) < 0n;
  if (beginsTxn && guard !== undefined && (guard.producerId !== producer.producerId || !manager.holdsGuard(guard))) {
    throw new ProducerStateError(
      ErrorCode.INVALID_TXN_STATE,
      `${topicPartitionName(tp)}: transactional batch of producer ${producer.producerId} (epoch ${producer.producerEpoch}) was verified with the ` +
        'transaction coordinator, but a marker or transactional batch of the producer was written since: its transaction there is over',
    );
  }
  return { batch, producer, info, marker: undefined };
}

/** Stages a checked leader batch now that it has its offsets (and LogAppendTime). */
export function stageLeaderProducerBatch(append: PendingAppend, checked: CheckedLeaderBatch, overlay: Map<bigint, ProducerStateEntry>): void {
  const { batch, producer, info, marker } = checked;
  if (producer.isControl) {
    if (marker === undefined) return;
    append.completedTxns = [info.appendMarker(producer.producerEpoch, marker.coordinatorEpoch, marker.commit, batch.baseOffset, batch.maxTimestamp)];
  } else {
    info.appendDataBatch(producer.producerEpoch, producer.firstSeq, producer.lastSeq, batch.maxTimestamp, batch.baseOffset, batch.lastOffset, producer.isTransactional);
  }
  append.producerInfos = [info];
  overlay.set(info.producerId, info.updated);
}

/** Stages a follower's producer batches, markers included, unchecked (a corrupt marker record throws). */
export function stageFollowerProducerBatches(manager: ProducerStateManager, tp: TopicPartition, append: PendingAppend, overlay: Map<bigint, ProducerStateEntry>): void {
  const infos = new Map<bigint, ProducerAppendInfo>();
  let completed: CompletedTxn[] | undefined;
  for (const batch of append.batches) {
    if (!hasProducerId(append.records, batch.position)) continue;
    const producer = readProducerBatch(append.records, batch.position);
    let info = infos.get(producer.producerId);
    if (info === undefined) {
      const current = overlay.get(producer.producerId) ?? manager.lastEntry(producer.producerId);
      info = new ProducerAppendInfo(tp, producer.producerId, current, 'follower');
      infos.set(producer.producerId, info);
    }
    if (!producer.isControl) {
      info.appendDataBatch(producer.producerEpoch, producer.firstSeq, producer.lastSeq, batch.maxTimestamp, batch.baseOffset, batch.lastOffset, producer.isTransactional);
      continue;
    }
    const marker = readTxnMarker(append.records, batch.position, batch.size, batch.baseOffset);
    if (marker === undefined) continue;
    (completed ??= []).push(info.appendMarker(producer.producerEpoch, marker.coordinatorEpoch, marker.commit, batch.baseOffset, batch.maxTimestamp));
  }
  append.producerInfos = [...infos.values()];
  append.completedTxns = completed;
  for (const info of infos.values()) overlay.set(info.producerId, info.updated);
}

/** Applies what a committed append staged; its aborted transactions go to `segment`'s transaction index. */
export function commitProducerState(manager: ProducerStateManager, append: PendingAppend, segment: LogSegment): void {
  for (const info of append.producerInfos!) manager.update(info);
  if (append.completedTxns !== undefined) for (const txn of append.completedTxns) manager.completeTxn(txn, segment);
}
