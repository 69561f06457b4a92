// Producer ids for this broker, in blocks the controller hands out (Kafka's
// RPCProducerIdManager, KIP-730). The controller records each block in its
// metadata log before it answers, so ids are unique across the brokers of
// the node and their restarts; a block not used up when the broker stops is
// simply skipped.
import type { Logger } from '@kstream/actor';
import type { AllocateProducerIdsReply } from '@kstream/metadata';
import { ErrorCode, errorInfo } from '@kstream/protocol';
import { PartitionError } from '@kstream/replication';
import type { ControllerChannel } from '../messages.js';

export interface ProducerIdManagerOptions {
  readonly brokerId: number;
  /** The broker's registration epoch, which AllocateProducerIds carries (a stale one is refused). */
  readonly brokerEpoch: () => number;
  readonly controller: ControllerChannel;
  readonly logger: Logger;
  /** How long generate() waits for a block in flight when no id is left; 1000 ms unless set. */
  readonly maxWaitMs?: number;
  /** After a failed AllocateProducerIds, no other is sent for this long; 50 ms (Kafka's) unless set. */
  readonly retryBackoffMs?: number;
  /** The bound of one AllocateProducerIds; 5000 ms unless set. */
  readonly requestTimeoutMs?: number;
}

/** Once this share of a block is handed out, the next block is asked for (Kafka's PID_PREFETCH_THRESHOLD). */
const PREFETCH_THRESHOLD = 0.9;
const DEFAULT_MAX_WAIT_MS = 1_000;
const DEFAULT_RETRY_BACKOFF_MS = 50;
const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
const INT64_MAX = 2n ** 63n - 1n;

/** Ids start .. end - 1; the next block is asked for once `prefetchAt` is handed out. */
interface ProducerIdBlock {
  readonly start: bigint;
  readonly end: bigint;
  readonly prefetchAt: bigint;
}

/**
 * Hands out producer ids unique across the node and its restarts: the
 * current block's in order, then the block fetched while it was being used
 * up (at 90%, one AllocateProducerIds in flight at a time, shared by every
 * caller). With no id left, generate() waits up to `maxWaitMs` for the block
 * in flight, else rejects with COORDINATOR_LOAD_IN_PROGRESS, which clients
 * retry. A failed request is not repeated by itself: the next generate()
 * after `retryBackoffMs` asks again. Not thread-safe; owned by the broker's loop.
 */
export class ProducerIdManager {
  readonly #options: ProducerIdManagerOptions;
  #current: ProducerIdBlock | undefined;
  /** The id generate() hands out next from #current. */
  #nextId = 0n;
  #prefetched: ProducerIdBlock | undefined;
  #inFlight: Promise<void> | undefined;
  /** No request is sent before this time (performance.now()). */
  #retryAt = 0;
  #lastFailure: string | undefined;
  #closed = false;
  readonly #closing: Promise<void>;
  #resolveClosing!: () => void;

  constructor(options: ProducerIdManagerOptions) {
    this.#options = options;
    this.#closing = new Promise((resolve) => (this.#resolveClosing = resolve));
  }

  /** The next producer id; rejects with a PartitionError(COORDINATOR_LOAD_IN_PROGRESS) while no block is available (clients retry). */
  async generate(): Promise<bigint> {
    const deadline = performance.now() + (this.#options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS);
    for (;;) {
      const id = this.#claim();
      if (id !== undefined) return id;
      this.#maybeRequest();
      const remaining = deadline - performance.now();
      if (this.#closed || this.#inFlight === undefined || remaining <= 0) throw this.#unavailable();
      await this.#wait(this.#inFlight, remaining);
    }
  }

  /** Stops asking the controller; a block in flight is dropped, and waiting and later generate() calls reject. */
  close(): void {
    this.#closed = true;
    this.#resolveClosing();
  }

  #claim(): bigint | undefined {
    if (this.#closed) return undefined;
    const current = this.#current;
    if (current !== undefined && this.#nextId < current.end) {
      const id = this.#nextId++;
      if (id >= current.prefetchAt) this.#maybeRequest();
      return id;
    }
    const next = this.#prefetched;
    if (next === undefined) return undefined;
    this.#prefetched = undefined;
    this.#current = next;
    this.#nextId = next.start;
    return this.#claim();
  }

  #maybeRequest(): void {
    if (this.#closed || this.#inFlight !== undefined || this.#prefetched !== undefined || performance.now() < this.#retryAt) return;
    this.#inFlight = this.#request().finally(() => (this.#inFlight = undefined));
  }

  async #request(): Promise<void> {
    const { brokerId, controller, logger } = this.#options;
    const brokerEpoch = this.#options.brokerEpoch();
    this.#lastFailure = undefined;
    let failure: string | undefined;
    if (brokerEpoch < 0) {
      failure = `broker ${brokerId} has not registered with the controller yet`;
    } else {
      try {
        const reply = await controller.ask({ type: 'AllocateProducerIds', brokerId, brokerEpoch }, { timeoutMs: this.#options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS });
        if (this.#closed) return;
        failure = this.#accept(reply, brokerEpoch);
      } catch (error) {
        failure = `AllocateProducerIds (broker epoch ${brokerEpoch}) failed: ${(error as Error).message}`;
      }
    }
    if (failure === undefined) return;
    const backoffMs = this.#options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS;
    this.#lastFailure = failure;
    this.#retryAt = performance.now() + backoffMs;
    logger.warn(`broker ${brokerId}: no producer id block: ${failure}; asking again in ${backoffMs} ms at the earliest`);
  }

  /** Takes the reply's block; what is wrong with the reply otherwise. */
  #accept(reply: AllocateProducerIdsReply, brokerEpoch: number): string | undefined {
    if (reply.errorCode !== ErrorCode.NONE) {
      return `the controller refused AllocateProducerIds (broker epoch ${brokerEpoch}) with ${errorInfo(reply.errorCode).name}: ${reply.errorMessage}`;
    }
    const { producerIdStart: start, producerIdLen: length } = reply;
    const floor = this.#current?.end ?? 0n;
    if (length <= 0 || start < floor || start > INT64_MAX - BigInt(length)) {
      return `the controller's block of ${length} ids from ${start} is not a valid range after the current block's end ${floor}`;
    }
    const block = { start, end: start + BigInt(length), prefetchAt: start + BigInt(Math.max(0, Math.ceil(length * PREFETCH_THRESHOLD) - 1)) };
    if (this.#current !== undefined && this.#nextId < this.#current.end) {
      this.#prefetched = block;
    } else {
      this.#current = block;
      this.#nextId = start;
    }
    return undefined;
  }

  async #wait(request: Promise<void>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    await Promise.race([request, this.#closing, timeout]);
    clearTimeout(timer);
  }

  #unavailable(): PartitionError {
    const { brokerId } = this.#options;
    const why = this.#closed ? 'it is shutting down' : (this.#lastFailure ?? 'the next block is still on its way from the controller');
    return new PartitionError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, `broker ${brokerId} has no producer id to hand out: ${why}`);
  }
}
