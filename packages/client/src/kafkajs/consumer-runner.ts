import type { Consumer as ClientConsumer, ConsumerBatch } from '../consumer/index.js';
import { kafkaBatch, kafkaMessage } from './consumer-messages.js';
import type { ResolvedOffsets } from './consumer-offsets.js';
import type { InstrumentationEmitter } from './instrumentation.js';
import type { ConsumerEvents, ConsumerRunConfig, EachBatchPayload } from './types-consumer.js';
import type { Offsets } from './types-producer.js';

/** What the runner needs from the consumer that owns it. */
export interface RunnerHost {
  readonly client: ClientConsumer<Buffer, Buffer>;
  readonly offsets: ResolvedOffsets;
  readonly emitter: InstrumentationEmitter<ConsumerEvents>;
  readonly events: ConsumerEvents;
  running(): boolean;
  /** Bumped by seek and by a rebalance that takes the partition away: a batch fetched before is stale. */
  partitionEpoch(topic: string, partition: number): number;
  commit(offsets?: Offsets): Promise<void>;
  commitIfDue(): Promise<void>;
}

/**
 * Runs one fetched batch through the application's eachMessage or eachBatch,
 * kafkajs's way: offsets are resolved as the application finishes messages
 * (each eachMessage, or resolveOffset / eachBatchAutoResolve), and when the
 * batch ends early — the handler threw, paused the partition, the consumer
 * stopped, or the batch went stale — the partition is sought back to the
 * first unresolved offset so those messages are read again, as kafkajs
 * fetches from the resolved offset.
 */
export async function runBatch(host: RunnerHost, config: ConsumerRunConfig, batch: ConsumerBatch<Buffer, Buffer>): Promise<void> {
  const { topic, partition } = batch;
  if (batch.records.length === 0) return;
  const epoch = host.partitionEpoch(topic, partition);
  const isStale = () => host.partitionEpoch(topic, partition) !== epoch;
  const lastOffset = batch.records.at(-1)!.offset;
  let paused = false;
  const pause = () => {
    paused = true;
    host.client.pause([{ topic, partition }]);
    return () => host.client.resume([{ topic, partition }]);
  };
  const heartbeat = async () => {};
  try {
    if (config.eachBatch !== undefined) {
      const payload: EachBatchPayload = {
        batch: kafkaBatch(batch),
        // A stale batch's partition may belong to another member now: its offsets are no longer ours to commit.
        resolveOffset: (offset) => {
          if (!isStale()) host.offsets.resolve(topic, partition, BigInt(offset));
        },
        heartbeat,
        pause,
        commitOffsetsIfNecessary: (offsets) => (offsets === undefined ? host.commitIfDue() : host.commit(offsets)),
        uncommittedOffsets: () => host.offsets.uncommittedByTopic(),
        isRunning: () => host.running(),
        isStale,
      };
      const started = Date.now();
      emitBatchEvent(host, host.events.START_BATCH_PROCESS, payload, undefined);
      await config.eachBatch(payload);
      if ((config.eachBatchAutoResolve ?? true) && !isStale()) host.offsets.resolve(topic, partition, lastOffset);
      emitBatchEvent(host, host.events.END_BATCH_PROCESS, payload, Date.now() - started);
    } else if (config.eachMessage !== undefined) {
      for (const record of batch.records) {
        if (!host.running() || paused || isStale()) break;
        await config.eachMessage({ topic, partition, message: kafkaMessage(record), heartbeat, pause });
        if (!isStale()) host.offsets.resolve(topic, partition, record.offset);
      }
    }
  } finally {
    // Seeking a stale batch's partition would undo the seek or the move that made it stale.
    if (!isStale()) rewind(host, batch);
  }
  if (!paused) await host.commitIfDue();
}

/** Seeks the batch's partition back to its first unresolved offset if the application did not finish it; says whether it did. */
function rewind(host: RunnerHost, batch: ConsumerBatch<Buffer, Buffer>): boolean {
  const { topic, partition, records } = batch;
  if (records.length === 0) return false;
  const firstOffset = records[0]!.offset;
  const next = host.offsets.next(topic, partition);
  const resumeAt = next === undefined || next < firstOffset ? firstOffset : next;
  if (resumeAt > records.at(-1)!.offset) return false;
  host.client.seek({ topic, partition }, resumeAt);
  return true;
}

/**
 * After a poll's batches stopped early (a handler threw, or the consumer
 * stopped), puts every partition the application did not finish back to its
 * first unresolved offset. Partitions that moved away meanwhile are left alone.
 */
export function rewindUnfinished(host: RunnerHost, batches: readonly ConsumerBatch<Buffer, Buffer>[]): void {
  const owned = new Set(host.client.assignment().map(({ topic, partition }) => `${topic}\u0000${partition}`));
  for (const batch of batches) {
    const id = `${batch.topic}\u0000${batch.partition}`;
    // Only a partition's first unfinished batch: its later ones start after it.
    if (owned.has(id) && rewind(host, batch)) owned.delete(id);
  }
}

function emitBatchEvent(host: RunnerHost, eventName: string, payload: EachBatchPayload, duration: number | undefined): void {
  if (!host.emitter.listening(eventName)) return;
  const { batch } = payload;
  host.emitter.emit(eventName, {
    topic: batch.topic,
    partition: batch.partition,
    highWatermark: batch.highWatermark,
    offsetLag: batch.offsetLag(),
    offsetLagLow: batch.offsetLagLow(),
    batchSize: batch.messages.length,
    firstOffset: batch.firstOffset(),
    lastOffset: batch.lastOffset(),
    ...(duration === undefined ? {} : { duration }),
  });
}

/**
 * Runs the batches of one poll, up to `concurrency` partitions at once
 * (kafkajs's partitionsConsumedConcurrently); one partition's batches stay
 * in order. Rejects with the first handler error once the others settle.
 */
export async function runBatches(host: RunnerHost, config: ConsumerRunConfig, batches: readonly ConsumerBatch<Buffer, Buffer>[], concurrency: number): Promise<void> {
  if (concurrency <= 1) {
    for (const batch of batches) {
      if (!host.running()) return;
      await runBatch(host, config, batch);
    }
    return;
  }
  // Callers rewind what was left unfinished (rewindUnfinished) when this rejects or the consumer stops.
  const perPartition = new Map<string, ConsumerBatch<Buffer, Buffer>[]>();
  for (const batch of batches) {
    const id = `${batch.topic}\u0000${batch.partition}`;
    const list = perPartition.get(id);
    if (list === undefined) perPartition.set(id, [batch]);
    else list.push(batch);
  }
  const queue = [...perPartition.values()];
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      for (const batch of next) {
        if (!host.running() || failure !== undefined) return;
        try {
          await runBatch(host, config, batch);
        } catch (error) {
          failure ??= { error };
          return;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  if (failure !== undefined) throw failure.error;
}
