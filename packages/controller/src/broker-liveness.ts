/**
 * When each broker last heartbeated, kept in memory only (as Kafka's
 * BrokerHeartbeatManager does): liveness is re-learned after a restart, so
 * it never costs a metadata log write. Owned by the controller actor.
 */
export class BrokerLiveness {
  readonly #sessionTimeoutMs: number;
  readonly #lastContact = new Map<number, number>();

  constructor(sessionTimeoutMs: number) {
    this.#sessionTimeoutMs = sessionTimeoutMs;
  }

  touch(brokerId: number, now: number): void {
    this.#lastContact.set(brokerId, now);
  }

  /** Whether the broker was heard from since it was last forgotten (or ever). */
  heardFrom(brokerId: number): boolean {
    return this.#lastContact.has(brokerId);
  }

  forget(brokerId: number): void {
    this.#lastContact.delete(brokerId);
  }

  /** Brokers not heard from for longer than the session timeout. */
  expired(now: number): number[] {
    const expired: number[] = [];
    for (const [brokerId, last] of this.#lastContact) {
      if (now - last > this.#sessionTimeoutMs) expired.push(brokerId);
    }
    return expired;
  }
}
