import { KafkaJSNonRetriableError } from './errors.js';
import type { Logger } from './logger.js';

export interface InstrumentationEvent<T> {
  id: string;
  type: string;
  timestamp: number;
  payload: T;
}

export type RemoveInstrumentationEventListener<_Name> = () => void;

export type ConnectEvent = InstrumentationEvent<null>;
export type DisconnectEvent = InstrumentationEvent<null>;

/**
 * The request events exist in the types so kafkajs programs compile; the
 * client does not emit them (it has no per-request hook to emit from).
 */
export type RequestEvent = InstrumentationEvent<{
  apiKey: number;
  apiName: string;
  apiVersion: number;
  broker: string;
  clientId: string;
  correlationId: number;
  createdAt: number;
  duration: number;
  pendingDuration: number;
  sentAt: number;
  size: number;
}>;
export type RequestTimeoutEvent = InstrumentationEvent<{
  apiKey: number;
  apiName: string;
  apiVersion: number;
  broker: string;
  clientId: string;
  correlationId: number;
  createdAt: number;
  pendingDuration: number;
  sentAt: number;
}>;
export type RequestQueueSizeEvent = InstrumentationEvent<{ broker: string; clientId: string; queueSize: number }>;

let nextId = 0;

/**
 * kafkajs's `on(eventName, listener)`: the name must be one of the
 * instance's `events`. A listener's failure (a throw or a rejected
 * promise) is logged, as kafkajs logs a rejected one, so one bad listener
 * cannot stop a consumer.
 */
export class InstrumentationEmitter<Events extends Record<string, string>> {
  readonly #events: Events;
  readonly #names: ReadonlySet<string>;
  readonly #listeners = new Map<string, Set<(event: InstrumentationEvent<any>) => void>>();

  readonly #logger: Logger;

  constructor(events: Events, logger: Logger) {
    this.#events = events;
    this.#logger = logger;
    this.#names = new Set(Object.values(events));
  }

  on(eventName: string, listener: (event: InstrumentationEvent<any>) => void): () => void {
    if (!this.#names.has(eventName)) {
      const allowed = Object.keys(this.#events)
        .map((key) => `events.${key}`)
        .join(', ');
      throw new KafkaJSNonRetriableError(`Event name should be one of ${allowed}, got ${eventName}`);
    }
    let listeners = this.#listeners.get(eventName);
    if (listeners === undefined) this.#listeners.set(eventName, (listeners = new Set()));
    const own = (event: InstrumentationEvent<any>) => {
      try {
        Promise.resolve(listener(event)).catch((error: unknown) => this.#listenerFailed(eventName, error));
      } catch (error) {
        this.#listenerFailed(eventName, error);
      }
    };
    listeners.add(own);
    return () => {
      listeners.delete(own);
    };
  }

  /** Whether anyone listens: lets callers skip building a payload on hot paths. */
  listening(eventName: string): boolean {
    return (this.#listeners.get(eventName)?.size ?? 0) > 0;
  }

  emit<T>(eventName: string, payload: T): void {
    const listeners = this.#listeners.get(eventName);
    if (listeners === undefined || listeners.size === 0) return;
    const event: InstrumentationEvent<T> = { id: String(nextId++), type: eventName, timestamp: Date.now(), payload };
    for (const listener of listeners) listener(event);
  }

  #listenerFailed(eventName: string, error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error));
    this.#logger.error(`Failed to execute listener: ${e.message}`, { eventName, stack: e.stack });
  }
}
