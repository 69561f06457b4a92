import { decodeCoordinatorRead, type CoordinatorRecordAt, type DecodedCoordinatorRead, type TxnMarkerAt } from './coordinator-batch.js';
import { CoordinatorLoadError } from './coordinator-load-error.js';
import type { GroupMetadataValue, OffsetAndMetadataAt } from './coordinator-record.js';

/** group → "topic" → partition → offset */
export type OffsetsByGroup = Map<string, Map<string, Map<number, OffsetAndMetadataAt>>>;

/** What a loaded __consumer_offsets partition holds: the last value per key, tombstones applied, transactions replayed. */
export interface LoadedCoordinatorState {
  readonly groups: Map<string, GroupMetadataValue>;
  /** The committed offsets: plain commits and those of committed transactions. */
  readonly offsets: OffsetsByGroup;
  /** Per producer id, the offsets of its transaction whose marker the load did not reach: still open, a later marker ends it. */
  readonly pendingTxnOffsets: Map<bigint, OffsetsByGroup>;
}

/** Whole batches starting at or after `offset` (the first one whole even above `maxBytes`); empty when none. */
export type CoordinatorLogReader = (offset: bigint, maxBytes: number) => Promise<Buffer>;

function setOffset(offsets: OffsetsByGroup, group: string, topic: string, partition: number, value: OffsetAndMetadataAt): void {
  let topics = offsets.get(group);
  if (topics === undefined) offsets.set(group, (topics = new Map()));
  let partitions = topics.get(topic);
  if (partitions === undefined) topics.set(topic, (partitions = new Map()));
  partitions.set(partition, value);
}

/** Deletes one offset, dropping the inner maps it leaves empty. */
function deleteOffset(offsets: OffsetsByGroup, group: string, topic: string, partition: number): void {
  const topics = offsets.get(group);
  const partitions = topics?.get(topic);
  if (partitions === undefined || !partitions.delete(partition)) return;
  if (partitions.size === 0) topics!.delete(topic);
  if (topics!.size === 0) offsets.delete(group);
}

/**
 * Applies one record, as Kafka's replay does: the last value of a key wins.
 * A group's tombstone removes the group but not its offsets — Kafka writes
 * those their own tombstones. An offset in a transactional batch is pending
 * under its producer id until the transaction's marker; an offset's tombstone
 * deletes the committed offset and every open transaction's of the partition.
 */
export function applyCoordinatorRecord(state: LoadedCoordinatorState, { offset, record, producerId }: CoordinatorRecordAt): void {
  if (record.type === 'group') {
    if (record.value === null) state.groups.delete(record.group);
    else state.groups.set(record.group, record.value);
    return;
  }
  const { group, topic, partition } = record.key;
  if (record.value === null) {
    deleteOffset(state.offsets, group, topic, partition);
    for (const [openProducerId, pending] of state.pendingTxnOffsets) {
      deleteOffset(pending, group, topic, partition);
      if (pending.size === 0) state.pendingTxnOffsets.delete(openProducerId);
    }
    return;
  }
  const offsets = producerId === undefined ? state.offsets : pendingOf(state, producerId);
  setOffset(offsets, group, topic, partition, { ...record.value, recordOffset: offset });
}

function pendingOf(state: LoadedCoordinatorState, producerId: bigint): OffsetsByGroup {
  let pending = state.pendingTxnOffsets.get(producerId);
  if (pending === undefined) state.pendingTxnOffsets.set(producerId, (pending = new Map()));
  return pending;
}

/**
 * Ends the producer's transaction: on commit each of its offsets replaces the
 * committed one unless that one's record came later in the log; on abort
 * they are dropped.
 */
export function applyTxnMarker(state: LoadedCoordinatorState, { producerId, commit }: TxnMarkerAt): void {
  const pending = state.pendingTxnOffsets.get(producerId);
  if (pending === undefined) return;
  state.pendingTxnOffsets.delete(producerId);
  if (!commit) return;
  for (const [group, topics] of pending) {
    for (const [topic, partitions] of topics) {
      for (const [partition, value] of partitions) {
        const committed = state.offsets.get(group)?.get(topic)?.get(partition);
        if (committed === undefined || committed.recordOffset < value.recordOffset) setOffset(state.offsets, group, topic, partition, value);
      }
    }
  }
}

/** Applies the chunk's records and markers in offset order, those in [from, to) only. */
function applyChunk(state: LoadedCoordinatorState, chunk: DecodedCoordinatorRead, from: bigint, to: bigint): void {
  const { records, markers } = chunk;
  let r = 0;
  let m = 0;
  while (r < records.length || m < markers.length) {
    const record = records[r];
    const marker = markers[m];
    if (marker === undefined || (record !== undefined && record.offset < marker.offset)) {
      r++;
      if (record!.offset >= from && record!.offset < to) applyCoordinatorRecord(state, record!);
    } else {
      m++;
      if (marker.offset >= from && marker.offset < to) applyTxnMarker(state, marker);
    }
  }
}

/**
 * Reads a partition's records from `from` up to `to` (exclusive) through
 * `read`, chunk by chunk of `maxBytesPerRead` (offsets.load.buffer.size),
 * applying each record and transaction marker in offset order, and yields to
 * the event loop between chunks so the broker serves other work during a
 * long load. Records and markers before `from` in the first batch and from
 * `to` on are not applied. The load ends early when a read finds no more
 * batches (the tail compacted away).
 * `partition` only names the partition in a CoordinatorLoadError.
 */
export async function loadCoordinatorPartition(read: CoordinatorLogReader, from: bigint, to: bigint, maxBytesPerRead: number, partition?: number): Promise<LoadedCoordinatorState> {
  const state: LoadedCoordinatorState = { groups: new Map(), offsets: new Map(), pendingTxnOffsets: new Map() };
  let next = from;
  while (next < to) {
    const bytes = await read(next, maxBytesPerRead);
    const chunk = await decodeCoordinatorRead(bytes, partition);
    if (chunk.nextOffset === undefined) {
      if (bytes.length === 0) break;
      throw new CoordinatorLoadError(`a read of ${bytes.length} bytes held no whole batch`, next, partition);
    }
    applyChunk(state, chunk, next, to);
    if (chunk.nextOffset <= next) {
      throw new CoordinatorLoadError(`a read returned only batches before it (up to ${chunk.nextOffset - 1n})`, next, partition);
    }
    next = chunk.nextOffset;
    await new Promise(setImmediate);
  }
  return state;
}
