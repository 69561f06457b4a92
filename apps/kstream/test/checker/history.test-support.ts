// What the clients and the nemesis of a fault run did, as Jepsen records it:
// every operation with the time it was invoked and the time it completed
// (milliseconds since the run started), and every fault with when it was
// injected and healed. Every produced value is unique (producer and
// sequence), so a client retry is a new value; only kafkajs resends a value
// itself, inside one send.

/** How a produce ended, as the client saw it. */
export type ProduceOutcome =
  /** Acknowledged (acks=all): the record must be in the final log at this offset. */
  | { readonly kind: 'ok'; readonly offset: bigint }
  /** Refused before anything was appended (NOT_ENOUGH_REPLICAS, UNKNOWN_TOPIC_OR_PARTITION...): the record must never appear. */
  | { readonly kind: 'definite'; readonly error: string }
  /** Unknown: a timeout, a lost connection, or an error that may follow an append. The record may or may not appear. */
  | { readonly kind: 'indeterminate'; readonly error: string };

export type ClientKind = 'own' | 'kafkajs';

export interface ProduceOp {
  readonly producer: string;
  /** kafkajs retries a send inside the client, with the same value: a value of a kafkajs send stored twice is a resend, not a violation. */
  readonly client: ClientKind;
  readonly partition: number;
  readonly key: string;
  readonly value: string;
  readonly invokedAt: number;
  readonly completedAt: number;
  readonly outcome: ProduceOutcome;
}

/** A record a consumer fetched from a partition's leader while the faults ran. */
export interface ReadOp {
  readonly consumer: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly value: string;
  readonly at: number;
}

export type FaultKind = 'crash' | 'pause' | 'cut-link' | 'cut-controller' | 'restart';

export interface FaultEvent {
  readonly kind: FaultKind;
  /** What the fault hit: `broker 2`, `brokers 1-3`, `broker 2-controller`. */
  readonly target: string;
  readonly startedAt: number;
  /** When the fault was healed (resumed, link healed, restart returned); null if it never was. */
  readonly healedAt: number | null;
}

export interface History {
  readonly seed: number;
  readonly topic: string;
  readonly produces: readonly ProduceOp[];
  readonly reads: readonly ReadOp[];
  readonly faults: readonly FaultEvent[];
}

/** Collects a run's history as the clients and the nemesis go; times are from `now()`, relative to the recorder's creation. */
export class HistoryRecorder {
  readonly produces: ProduceOp[] = [];
  readonly reads: ReadOp[] = [];
  readonly faults: FaultEvent[] = [];
  readonly #start = performance.now();

  constructor(
    readonly seed: number,
    readonly topic: string,
  ) {}

  now(): number {
    return performance.now() - this.#start;
  }

  history(): History {
    return { seed: this.seed, topic: this.topic, produces: this.produces, reads: this.reads, faults: this.faults };
  }
}
