import { decodeCoordinatorRead } from './coordinator-batch.js';
import { CoordinatorLoadError } from './coordinator-load-error.js';
import type { CoordinatorRecord, GroupMetadataValue, OffsetAndMetadata } from './coordinator-record.js';

/** What a loaded __consumer_offsets partition holds: the last value per key, tombstones applied. */
export interface LoadedCoordinatorState {
  readonly groups: Map<string, GroupMetadataValue>;
  /** group → "topic" → partition → offset */
  readonly offsets: Map<string, Map<string, Map<number, OffsetAndMetadata>>>;
}

/** Whole batches starting at or after `offset` (the first one whole even above `maxBytes`); empty when none. */
export type CoordinatorLogReader = (offset: bigint, maxBytes: number) => Promise<Buffer>;

/**
 * Applies one record: the last value of a key wins, a tombstone deletes it.
 * A group's tombstone removes the group but not its offsets — Kafka writes
 * those their own tombstones. Empty inner maps are dropped.
 */
export function applyCoordinatorRecord(state: LoadedCoordinatorState, record: CoordinatorRecord): void {
  if (record.type === 'group') {
    if (record.value === null) state.groups.delete(record.group);
    else state.groups.set(record.group, record.value);
    return;
  }
  const { group, topic, partition } = record.key;
  let topics = state.offsets.get(group);
  if (record.value === null) {
    const partitions = topics?.get(topic);
    if (partitions === undefined || !partitions.delete(partition)) return;
    if (partitions.size === 0) topics!.delete(topic);
    if (topics!.size === 0) state.offsets.delete(group);
    return;
  }
  if (topics === undefined) state.offsets.set(group, (topics = new Map()));
  let partitions = topics.get(topic);
  if (partitions === undefined) topics.set(topic, (partitions = new Map()));
  partitions.set(partition, record.value);
}

/**
 * Reads a partition's records from `from` up to `to` (exclusive) through
 * `read`, chunk by chunk of `maxBytesPerRead` (offsets.load.buffer.size),
 * applying each record in offset order, and yields to the event loop between
 * chunks so the broker serves other work during a long load. Records before
 * `from` in the first batch and from `to` on are not applied. The load ends
 * early when a read finds no more batches (the tail compacted away).
 * `partition` only names the partition in a CoordinatorLoadError.
 */
export async function loadCoordinatorPartition(
  read: CoordinatorLogReader,
  from: bigint,
  to: bigint,
  maxBytesPerRead: number,
  partition?: number,
): Promise<LoadedCoordinatorState> {
  const state: LoadedCoordinatorState = { groups: new Map(), offsets: new Map() };
  let next = from;
  while (next < to) {
    const bytes = await read(next, maxBytesPerRead);
    const chunk = await decodeCoordinatorRead(bytes, partition);
    if (chunk.nextOffset === undefined) {
      if (bytes.length === 0) break;
      throw new CoordinatorLoadError(`a read of ${bytes.length} bytes held no whole batch`, next, partition);
    }
    for (const { offset, record } of chunk.records) {
      if (offset >= next && offset < to) applyCoordinatorRecord(state, record);
    }
    if (chunk.nextOffset <= next) {
      throw new CoordinatorLoadError(`a read returned only batches before it (up to ${chunk.nextOffset - 1n})`, next, partition);
    }
    next = chunk.nextOffset;
    await new Promise(setImmediate);
  }
  return state;
}
