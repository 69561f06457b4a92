import type { Socket } from 'node:net';
import { FrameReader, Produce } from '@kstream/protocol';
import { NO_RESPONSE } from '../handlers/handler.js';
import type { BrokerServices } from '../handlers/handler.js';
import type { HandlerRegistry } from '../handlers/registry.js';
import type { FrameBufferPool } from './frame-buffer-pool.js';
import { dispatchRequest } from './request-dispatch.js';
import type { RequestOutcome } from './request-dispatch.js';
import type { MemoryReservation, RequestMemoryPool } from './request-memory-pool.js';

/**
 * Requests in flight on one connection before it stops reading: bounds what
 * a client that pipelines without reading its responses can make the broker
 * hold.
 */
const MAX_IN_FLIGHT = 128;

/** How long a closing connection waits for the client to read its last responses before it is dropped. */
const CLOSE_GRACE_MS = 1_000;

export interface ClientConnectionOptions {
  readonly socket: Socket;
  /** `host:port` of the client. */
  readonly connectionId: string;
  readonly broker: BrokerServices;
  readonly handlers: HandlerRegistry;
  /** socket.request.max.bytes: the largest request frame accepted, checked before it is buffered. */
  readonly maxRequestBytes: number;
  /** connections.max.idle.ms: a connection with no traffic and nothing in flight for this long is closed. */
  readonly idleTimeoutMs: number;
  /** The broker's budget for requests being read (queued.max.request.bytes), shared by its connections. */
  readonly requestMemory: RequestMemoryPool;
  /** request.arrival.timeout.ms: a request that has been arriving for this long, while the broker was reading, closes the connection. */
  readonly arrivalTimeoutMs: number;
  /** The broker's reused buffers for large Produce frames, shared by its connections; each is given back once its request is done. */
  readonly frameBuffers: FrameBufferPool;
}

/** Where the api key sits in a request frame: after the size prefix. */
const API_KEY_OFFSET = 4;

/** One request's place in the response order. */
interface Slot {
  outcome: RequestOutcome | undefined;
  /** Set when this request closes the connection once every earlier response is written. */
  closeReason: string | undefined;
}

/**
 * One client's Kafka connection: cuts the byte stream into request frames,
 * dispatches each at once (many in flight: clients pipeline), and writes the
 * responses in request order however the handlers finish. A request that
 * gets no response (acks=0) keeps its place, so what follows it waits for it.
 * A request that cannot be served (a bad frame, an unknown API or version, a
 * failed handler) closes the connection after the responses before it, with
 * a logged reason, as Kafka does. A request read in several pieces reserves
 * its announced length from the broker's RequestMemoryPool and the
 * connection pauses until it is granted; one still incomplete after
 * `arrivalTimeoutMs` of reading closes the connection. Owned by the broker
 * worker's loop.
 */
export class ClientConnection {
  readonly #socket: Socket;
  readonly #connectionId: string;
  readonly #broker: BrokerServices;
  readonly #handlers: HandlerRegistry;
  readonly #reader: FrameReader;
  readonly #idleTimeoutMs: number;
  readonly #requestMemory: RequestMemoryPool;
  readonly #arrivalTimeoutMs: number;
  readonly #frameBuffers: FrameBufferPool;
  readonly #slots: Slot[] = [];
  #lastActive = performance.now();
  #idleTimer: NodeJS.Timeout;
  /** The pending frame's claim on the broker's request memory, once its size is known. */
  #reservation: MemoryReservation | undefined;
  /** When the pending frame started arriving, or reading last resumed since; undefined without one. */
  #arrivingSince: number | undefined;
  #arrivalTimer: NodeJS.Timeout | undefined;
  /** False once a request closes the connection: nothing after it is read. */
  #reading = true;
  /** Why the connection closes once the responses it owes are written (a frame that was never dispatched). */
  #closeWhenFlushed: string | undefined;
  #closed = false;

  constructor(options: ClientConnectionOptions) {
    this.#socket = options.socket;
    this.#connectionId = options.connectionId;
    this.#broker = options.broker;
    this.#handlers = options.handlers;
    this.#frameBuffers = options.frameBuffers;
    this.#reader = new FrameReader(options.maxRequestBytes, this.#produceFrameBuffer);
    this.#idleTimeoutMs = options.idleTimeoutMs;
    this.#requestMemory = options.requestMemory;
    this.#arrivalTimeoutMs = options.arrivalTimeoutMs;
    this.#socket.setNoDelay(true);
    this.#socket.on('data', this.#onData);
    this.#socket.on('drain', () => this.#updateFlow());
    this.#socket.once('close', () => this.#onClose());
    this.#idleTimer = setTimeout(() => this.#checkIdle(), this.#idleTimeoutMs).unref();
  }

  /**
   * A reused buffer for a large Produce frame only: its records are written
   * to the log before it is answered, and nothing keeps them after. Other
   * requests' bytes may be held after their answer (a group member's
   * metadata, a transaction's state), so they get fresh memory.
   */
  readonly #produceFrameBuffer = (length: number, head: Buffer): Buffer | undefined =>
    head.length >= API_KEY_OFFSET + 2 && head.readInt16BE(API_KEY_OFFSET) === Produce.apiKey ? this.#frameBuffers.take(length) : undefined;

  readonly #onData = (chunk: Buffer): void => {
    this.#lastActive = performance.now();
    let frames: Buffer[];
    try {
      frames = this.#reader.push(chunk);
    } catch (error) {
      // The size prefix is out of range: the frame is never buffered, and the
      // stream cannot be resynchronised.
      this.#closeAfterPending(`request refused: ${(error as Error).message}`);
      return;
    }
    for (const frame of frames) {
      if (this.#reading) this.#dispatch(frame);
      else this.#frameBuffers.giveBack(frame);
    }
    if (!this.#reading) return;
    this.#trackPendingFrame(frames.length > 0);
    this.#updateFlow();
  };

  /** Keeps the memory reservation and the arrival clock in step with the frame being read, if any. */
  #trackPendingFrame(framesCompleted: boolean): void {
    const reader = this.#reader;
    if (framesCompleted || reader.bufferedBytes === 0) {
      this.#reservation?.release();
      this.#reservation = undefined;
      this.#arrivingSince = undefined;
    }
    if (reader.bufferedBytes === 0) return;
    this.#arrivingSince ??= performance.now();
    this.#armArrivalTimer();
    const length = reader.pendingFrameLength;
    if (length !== undefined && this.#reservation === undefined) {
      this.#reservation = this.#requestMemory.reserve(length, () => this.#updateFlow());
    }
  }

  #armArrivalTimer(): void {
    if (this.#arrivalTimer !== undefined || this.#arrivingSince === undefined) return;
    const wait = this.#arrivingSince + this.#arrivalTimeoutMs - performance.now();
    this.#arrivalTimer = setTimeout(() => this.#checkArrival(), Math.max(1, wait)).unref();
  }

  #checkArrival(): void {
    this.#arrivalTimer = undefined;
    if (this.#closed || !this.#reading || this.#arrivingSince === undefined || this.#socket.isPaused()) return;
    if (performance.now() - this.#arrivingSince < this.#arrivalTimeoutMs) {
      this.#armArrivalTimer();
      return;
    }
    const announced = this.#reader.pendingFrameLength;
    this.#closeAfterPending(
      `a request has been arriving for more than ${this.#arrivalTimeoutMs} ms (request.arrival.timeout.ms): ` +
        `${this.#reader.bufferedBytes} of ${announced === undefined ? 'an unknown number of' : announced} bytes arrived`,
    );
  }

  #dispatch(frame: Buffer): void {
    let outcome: Promise<RequestOutcome>;
    try {
      outcome = dispatchRequest(frame, this.#connectionId, this.#broker, this.#handlers);
    } catch (error) {
      this.#frameBuffers.giveBack(frame);
      this.#closeAfterPending((error as Error).message);
      return;
    }
    const slot: Slot = { outcome: undefined, closeReason: undefined };
    this.#slots.push(slot);
    // The frame's buffer goes back once the request is done, whether or not the connection is still open.
    outcome.then(
      (result) => {
        this.#frameBuffers.giveBack(frame);
        slot.outcome = result;
        this.#flush();
      },
      (error: unknown) => {
        this.#frameBuffers.giveBack(frame);
        slot.closeReason = (error as Error).message;
        this.#stopReading();
        this.#flush();
      },
    );
  }

  /** Writes every response whose predecessors are written, in one writev where there are several. */
  #flush(): void {
    if (this.#closed) return;
    const socket = this.#socket;
    let corked = false;
    while (this.#slots.length > 0) {
      const head = this.#slots[0]!;
      if (head.closeReason !== undefined) {
        this.#slots.length = 0;
        if (corked) socket.uncork();
        this.#close(head.closeReason);
        return;
      }
      if (head.outcome === undefined) break;
      this.#slots.shift();
      if (head.outcome === NO_RESPONSE) continue;
      if (!corked) {
        socket.cork();
        corked = true;
      }
      for (const part of head.outcome) socket.write(part);
    }
    if (corked) {
      socket.uncork();
      this.#lastActive = performance.now();
    }
    if (this.#slots.length === 0 && this.#closeWhenFlushed !== undefined) this.#close(this.#closeWhenFlushed);
    else this.#updateFlow();
  }

  /** Stops reading and closes once the responses already owed are written. */
  #closeAfterPending(reason: string): void {
    this.#stopReading();
    this.#closeWhenFlushed = reason;
    this.#flush();
  }

  #stopReading(): void {
    this.#reading = false;
    this.#socket.off('data', this.#onData);
    this.#releaseRequestMemory();
  }

  #releaseRequestMemory(): void {
    this.#reservation?.release();
    this.#reservation = undefined;
    this.#arrivingSince = undefined;
    clearTimeout(this.#arrivalTimer);
    this.#arrivalTimer = undefined;
  }

  /**
   * Pauses reading while too many requests are in flight, the client is not
   * reading its responses, or the frame being read waits for request memory.
   * The arrival clock of a frame runs only while the broker reads.
   */
  #updateFlow(): void {
    if (!this.#reading || this.#closed) return;
    const reservationWaits = this.#reservation !== undefined && !this.#reservation.granted;
    if (this.#slots.length >= MAX_IN_FLIGHT || this.#socket.writableNeedDrain || reservationWaits) {
      this.#socket.pause();
    } else if (this.#socket.isPaused()) {
      if (this.#arrivingSince !== undefined) {
        this.#arrivingSince = performance.now();
        this.#armArrivalTimer();
      }
      this.#socket.resume();
    }
  }

  #checkIdle(): void {
    if (this.#closed) return;
    const idleFor = performance.now() - this.#lastActive;
    if (this.#slots.length === 0 && idleFor >= this.#idleTimeoutMs) {
      this.#close(`idle for more than ${this.#idleTimeoutMs} ms (connections.max.idle.ms)`, 'info');
      return;
    }
    const wait = this.#slots.length === 0 ? this.#idleTimeoutMs - idleFor : this.#idleTimeoutMs;
    this.#idleTimer = setTimeout(() => this.#checkIdle(), Math.max(1, wait)).unref();
  }

  /**
   * Ends the connection gracefully: what was written still reaches the
   * client, whose further bytes are discarded rather than left unread (which
   * would make the kernel reset the connection and lose them).
   */
  #close(reason: string, level: 'info' | 'warn' = 'warn'): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    this.#releaseRequestMemory();
    this.#broker.logger[level](`broker ${this.#broker.brokerId}: closing connection ${this.#connectionId}: ${reason}`);
    const socket = this.#socket;
    socket.off('data', this.#onData);
    socket.on('data', () => {});
    socket.resume();
    socket.end();
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  #onClose(): void {
    this.#closed = true;
    this.#reading = false;
    clearTimeout(this.#idleTimer);
    this.#releaseRequestMemory();
    this.#slots.length = 0;
  }
}
