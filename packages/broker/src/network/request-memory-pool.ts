/** A frame's claim on the pool: granted at once, or once enough is released. */
export interface MemoryReservation {
  readonly bytes: number;
  readonly granted: boolean;
  /** Frees the bytes, or withdraws the claim if it is still waiting. Idempotent. */
  release(): void;
}

/**
 * The bytes of requests being read on one broker, bounded by
 * queued.max.request.bytes (the part of Kafka's network-thread MemoryPool
 * that matters here: what partially read requests may hold). A connection
 * reserves a frame's announced length once its size prefix has arrived and
 * the frame did not come whole in one read; the bytes themselves accumulate
 * as they arrive. A reservation that does not fit waits, its connection
 * paused, and waiting ones are granted in the order they asked — except that
 * when nothing is reserved the oldest is granted whatever its size, so a
 * request up to socket.request.max.bytes always completes eventually, even
 * with a budget below it. Per broker, as Kafka's is: each broker is its own
 * worker thread, and a node-wide budget would need memory shared across them.
 * Owned by the broker worker's loop.
 */
export class RequestMemoryPool {
  readonly #limitBytes: number;
  #reservedBytes = 0;
  /** Claims not yet granted, oldest first (a Set keeps insertion order). */
  readonly #waiting = new Set<Reservation>();

  /** `limitBytes` 0 or less: unbounded, as queued.max.request.bytes -1 is in Kafka. */
  constructor(limitBytes: number) {
    this.#limitBytes = limitBytes > 0 ? limitBytes : Infinity;
  }

  get limitBytes(): number {
    return this.#limitBytes;
  }

  /** Bytes reserved by granted claims. */
  get reservedBytes(): number {
    return this.#reservedBytes;
  }

  /** Claims waiting for memory (each one a paused connection). */
  get waitingCount(): number {
    return this.#waiting.size;
  }

  /** Claims `bytes`; `onGranted` is called if the claim has to wait and is granted later. */
  reserve(bytes: number, onGranted: () => void): MemoryReservation {
    const reservation = new Reservation(this, bytes, onGranted);
    if (this.#waiting.size === 0 && this.#fits(bytes)) this.#grant(reservation);
    else this.#waiting.add(reservation);
    return reservation;
  }

  /** @internal Called by a reservation's release. */
  free(reservation: Reservation): void {
    if (this.#waiting.delete(reservation)) return;
    this.#reservedBytes -= reservation.bytes;
    for (const next of this.#waiting) {
      if (!this.#fits(next.bytes)) break;
      this.#waiting.delete(next);
      this.#grant(next);
      next.onGranted();
    }
  }

  #fits(bytes: number): boolean {
    return this.#reservedBytes === 0 || this.#reservedBytes + bytes <= this.#limitBytes;
  }

  #grant(reservation: Reservation): void {
    this.#reservedBytes += reservation.bytes;
    reservation.granted = true;
  }
}

class Reservation implements MemoryReservation {
  granted = false;
  #released = false;

  constructor(
    readonly pool: RequestMemoryPool,
    readonly bytes: number,
    readonly onGranted: () => void,
  ) {}

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.pool.free(this);
  }
}
