import type { RecordInput } from '@kstream/protocol';
import type { BufferMemory } from './buffer-memory.js';
import { ProducerBatch } from './producer-batch.js';
import type { SendCall } from './send-call.js';

/** One partition's queue of batches, oldest first, and what is in flight for it. */
export interface PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  readonly batches: ProducerBatch[];
  /** Batches of this partition sent and not yet answered. */
  inFlight: number;
  /** Idempotence: the sequence the next new batch gets, and the one the broker expects next (after the last acknowledged batch). */
  nextSequence: number;
  ackedSequence: number;
}

export interface AccumulatorConfig {
  batchSize: number;
  lingerMs: number;
}

/** Why a drain is asked: a batch is ready before linger passes when the producer flushes or closes. */
export interface DrainContext {
  now: number;
  flushing: boolean;
  /** The partition's leader, or -1 when unknown (the caller then refreshes metadata). */
  leaderOf(queue: PartitionQueue): number;
  /** How many more requests node `leader` may have in flight now. */
  requestSlots(leader: number): number;
  maxInFlightPerPartition: number;
  maxRequestSize: number;
  /** Whether the queue's batches may leave now (a transactional producer's partition must be in the transaction first); default yes. */
  mayDrain?(queue: PartitionQueue): boolean;
}

export interface DrainResult {
  /** Each entry is one Produce request: a leader and at most one batch per partition it leads. */
  requests: { leader: number; batches: ProducerBatch[] }[];
  /** The earliest time a batch left behind becomes ready or expires (Infinity: none). */
  nextCheckAt: number;
}

/**
 * Kafka's RecordAccumulator: appends records to the open batch of their
 * partition (a new batch when it would pass batch.size), and drains ready
 * batches — full, lingered for linger.ms, due for retry, or any when flushing
 * or when senders wait for buffer memory — into requests per leader. A
 * partition's batches leave in the order they were created, retries first,
 * and a retry waits until nothing else of its partition is in flight, so
 * ordering holds across retries. Owned by one producer; not shared.
 */
export class RecordAccumulator {
  readonly #byTopic = new Map<string, PartitionQueue[]>();
  readonly #queues: PartitionQueue[] = [];
  /** Every batch not yet completed or failed, queued or in flight: what flush() waits for. */
  readonly incomplete = new Set<ProducerBatch>();
  #nextBatchId = 0;
  #drainStart = 0;

  constructor(
    readonly config: AccumulatorConfig,
    readonly memory: BufferMemory,
  ) {}

  queue(topic: string, partition: number): PartitionQueue {
    let queues = this.#byTopic.get(topic);
    if (queues === undefined) {
      queues = [];
      this.#byTopic.set(topic, queues);
    }
    let queue = queues[partition];
    if (queue === undefined) {
      queue = { topic, partition, batches: [], inFlight: 0, nextSequence: 0, ackedSequence: 0 };
      queues[partition] = queue;
      this.#queues.push(queue);
    }
    return queue;
  }

  /** Whether `bytes` more fit the partition's open batch; if not, an append opens a new batch (the sticky partitioner moves on then). */
  fitsOpenBatch(queue: PartitionQueue, bytes: number): boolean {
    const open = queue.batches[queue.batches.length - 1];
    return open !== undefined && !open.closed && open.recordBytes + bytes <= this.config.batchSize;
  }

  /** Appends a record whose `bytes` are already reserved; true when this closed a full batch (a sender run is due). */
  append(queue: PartitionQueue, record: RecordInput, bytes: number, call: SendCall, slot: number, now: number): boolean {
    const { batches } = queue;
    let batch = batches[batches.length - 1];
    let closedOne = false;
    // An open batch is never empty (one is opened for the record it takes), so a record above batch.size still gets a batch of its own.
    if (batch === undefined || !this.fitsOpenBatch(queue, bytes)) {
      if (batch !== undefined && !batch.closed) {
        batch.closed = true;
        closedOne = true;
      }
      batch = new ProducerBatch(this.#nextBatchId++, queue.topic, queue.partition, now);
      batches.push(batch);
      this.incomplete.add(batch);
    }
    batch.append(record, bytes, call, slot);
    if (batch.recordBytes >= this.config.batchSize) {
      batch.closed = true;
      closedOne = true;
    }
    return closedOne;
  }

  /** Takes ready batches off their queues, one per partition per request, marking them in flight. */
  drain(context: DrainContext): DrainResult {
    const { now } = context;
    let nextCheckAt = Infinity;
    const byLeader = new Map<number, PartitionQueue[]>();
    const count = this.#queues.length;
    // Rotating the start keeps partitions early in the list from always filling max.request.size first.
    this.#drainStart = count === 0 ? 0 : (this.#drainStart + 1) % count;
    for (let i = 0; i < count; i++) {
      const queue = this.#queues[(this.#drainStart + i) % count]!;
      // Held back until the caller says otherwise, and wakes the sender then.
      if (context.mayDrain !== undefined && !context.mayDrain(queue)) continue;
      const readyAt = this.#readyAt(queue, context);
      if (readyAt > now) {
        nextCheckAt = Math.min(nextCheckAt, readyAt);
        continue;
      }
      const leader = context.leaderOf(queue);
      if (leader < 0) continue;
      let queues = byLeader.get(leader);
      if (queues === undefined) byLeader.set(leader, (queues = []));
      queues.push(queue);
    }
    const requests: DrainResult['requests'] = [];
    for (const [leader, queues] of byLeader) {
      for (let slots = context.requestSlots(leader); slots > 0; slots--) {
        const batches = this.#drainOne(queues, context);
        if (batches.length === 0) break;
        requests.push({ leader, batches });
      }
      for (const queue of queues) {
        const readyAt = this.#readyAt(queue, context);
        if (readyAt > now) nextCheckAt = Math.min(nextCheckAt, readyAt);
      }
    }
    return { requests, nextCheckAt };
  }

  /** Puts a batch to retry back in its partition's queue, in creation order ahead of newer batches. */
  reenqueue(batch: ProducerBatch, queue: PartitionQueue): void {
    queue.inFlight--;
    insertInCreationOrder(queue, batch.id, [batch]);
  }

  /** Puts the halves of a split batch back where it was; the batch's reserved bytes pass to them. */
  reenqueueSplit(batch: ProducerBatch, parts: readonly ProducerBatch[], queue: PartitionQueue): void {
    queue.inFlight--;
    this.incomplete.delete(batch);
    insertInCreationOrder(queue, batch.id, parts);
    for (const part of parts) this.incomplete.add(part);
  }

  /** A batch answered (completed or failed for good): its memory and in-flight slot are freed. */
  finished(batch: ProducerBatch, queue: PartitionQueue | undefined): void {
    if (queue !== undefined) queue.inFlight--;
    this.#forget(batch);
  }

  /**
   * Removes and returns queued batches created `deliveryTimeoutMs` or more
   * ago, and the time the next queued batch will expire (Infinity: none).
   */
  expire(now: number, deliveryTimeoutMs: number): { expired: ProducerBatch[]; nextExpiryAt: number } {
    const expired: ProducerBatch[] = [];
    let nextExpiryAt = Infinity;
    for (const queue of this.#queues) {
      const { batches } = queue;
      while (batches.length > 0 && batches[0]!.createdAt + deliveryTimeoutMs <= now) {
        const batch = batches.shift()!;
        this.#forget(batch);
        expired.push(batch);
      }
      if (batches.length > 0) nextExpiryAt = Math.min(nextExpiryAt, batches[0]!.createdAt + deliveryTimeoutMs);
    }
    return { expired, nextExpiryAt };
  }

  /** Removes and returns every queued batch (a forced close). */
  abortQueued(): ProducerBatch[] {
    const aborted: ProducerBatch[] = [];
    for (const queue of this.#queues) {
      for (const batch of queue.batches.splice(0)) {
        this.#forget(batch);
        aborted.push(batch);
      }
    }
    return aborted;
  }

  /** Removes and returns every queued batch never sent (a failed or aborted transaction's); retries stay, their outcome unknown. */
  abortUnsent(): ProducerBatch[] {
    const aborted: ProducerBatch[] = [];
    for (const queue of this.#queues) {
      if (queue.batches.length === 0) continue;
      const kept: ProducerBatch[] = [];
      for (const batch of queue.batches) {
        if (batch.attempts > 0) {
          kept.push(batch);
        } else {
          this.#forget(batch);
          aborted.push(batch);
        }
      }
      queue.batches.splice(0, queue.batches.length, ...kept);
    }
    return aborted;
  }

  /** Every queue, for the idempotence state to reset sequences. */
  get queues(): readonly PartitionQueue[] {
    return this.#queues;
  }

  #forget(batch: ProducerBatch): void {
    if (this.incomplete.delete(batch)) this.memory.release(batch.recordBytes);
  }

  #drainOne(queues: PartitionQueue[], context: DrainContext): ProducerBatch[] {
    const batches: ProducerBatch[] = [];
    let size = 0;
    for (const queue of queues) {
      if (this.#readyAt(queue, context) > context.now) continue;
      const batch = queue.batches[0]!;
      if (batches.length > 0 && size + batch.estimatedSize > context.maxRequestSize) continue;
      queue.batches.shift();
      batch.closed = true;
      queue.inFlight++;
      size += batch.estimatedSize;
      batches.push(batch);
    }
    return batches;
  }

  /** When the queue's head batch may be sent (Infinity: it may not, for now). */
  #readyAt(queue: PartitionQueue, context: DrainContext): number {
    const head = queue.batches[0];
    if (head === undefined || queue.inFlight >= context.maxInFlightPerPartition) return Infinity;
    if (head.attempts > 0) return queue.inFlight > 0 ? Infinity : head.retryAt;
    if (head.closed || queue.batches.length > 1 || context.flushing || this.memory.hasWaiters) return context.now;
    return head.createdAt + this.config.lingerMs;
  }
}

/** Puts `parts` (of batch `id`) back into the queue ahead of every newer batch. */
function insertInCreationOrder(queue: PartitionQueue, id: number, parts: readonly ProducerBatch[]): void {
  const { batches } = queue;
  let index = 0;
  while (index < batches.length && batches[index]!.id < id) index++;
  batches.splice(index, 0, ...parts);
}
