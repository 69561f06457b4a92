// A broker's own view of its session with the controller. The controller
// fences a broker whose heartbeats stop for broker.session.timeout.ms and
// moves its leaderships; a broker cut off from it cannot hear of that and
// would go on answering as a coordinator with state a new coordinator is
// already changing. So the broker counts the same timeout itself, from the
// send time of the last heartbeat the controller acknowledged (no later
// than the controller received it): it lapses no later than the controller
// can fence it, and is restored by the next acknowledged heartbeat.

export interface ControllerSessionOptions {
  /** broker.session.timeout.ms, as the controller counts it. */
  readonly timeoutMs: number;
  /** The session lapsed: the controller may have fenced this broker by now. */
  readonly onLapse: (silentForMs: number) => void;
  /** A heartbeat was acknowledged, without fencing, after a lapse. */
  readonly onRestore: () => void;
  readonly clock?: () => number;
}

/** Not thread-safe; owned by the broker worker's loop. */
export class ControllerSession {
  readonly #options: ControllerSessionOptions;
  readonly #clock: () => number;
  #lastAcknowledgedSendMs: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lapsed = false;
  #closed = false;

  constructor(options: ControllerSessionOptions) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
  }

  get lapsed(): boolean {
    return this.#lapsed;
  }

  /**
   * The controller acknowledged a heartbeat sent at `sentAtMs` (this
   * session's clock) without fencing this broker: its metadata still holds,
   * so a lapsed session is restored.
   */
  acknowledged(sentAtMs: number): void {
    if (!this.#renew(sentAtMs) || !this.#lapsed) return;
    this.#lapsed = false;
    this.#options.onRestore();
  }

  /**
   * The controller registered this broker (again) from a request sent at
   * `sentAtMs`. Not a restore: the registration's snapshot tells the broker
   * its roles anew (every leadership of a fenced broker moved to a new epoch).
   */
  registered(sentAtMs: number): void {
    if (this.#renew(sentAtMs)) this.#lapsed = false;
  }

  #renew(sentAtMs: number): boolean {
    if (this.#closed) return false;
    if (this.#lastAcknowledgedSendMs !== undefined && sentAtMs < this.#lastAcknowledgedSendMs) return false;
    this.#lastAcknowledgedSendMs = sentAtMs;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#lapse(), Math.max(0, sentAtMs + this.#options.timeoutMs - this.#clock()));
    return true;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #lapse(): void {
    if (this.#closed || this.#lapsed) return;
    this.#lapsed = true;
    this.#options.onLapse(this.#clock() - (this.#lastAcknowledgedSendMs ?? this.#clock()));
  }
}
