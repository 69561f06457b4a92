import type { Transferable } from 'node:worker_threads';
import type { Endpoint } from './endpoint.js';

/**
 * An Endpoint that can be cut like a network link: while cut, what this side
 * posts is dropped and what arrives ('message' events) is dropped, so a
 * mailbox over it sees its asks time out, as over a partitioned network.
 * Dropped means dropped: nothing is delivered late after `heal`. Other
 * events ('close', 'exit', 'messageerror') pass through, cut or not.
 *
 * Fault injection for tests and for users who want to watch failover. Owned
 * by the thread that owns the wrapped port.
 */
export class CuttableEndpoint implements Endpoint {
  readonly #inner: Endpoint;
  readonly #wrapped = new Map<(arg: any) => void, (arg: any) => void>();
  #cut = false;

  constructor(inner: Endpoint) {
    this.#inner = inner;
  }

  get isCut(): boolean {
    return this.#cut;
  }

  cut(): void {
    this.#cut = true;
  }

  heal(): void {
    this.#cut = false;
  }

  postMessage(value: unknown, transferList?: readonly Transferable[]): void {
    if (!this.#cut) this.#inner.postMessage(value, transferList);
  }

  on(event: string, listener: (arg: any) => void): unknown {
    if (event !== 'message') return this.#inner.on(event, listener);
    const wrapper = (arg: unknown): void => {
      if (!this.#cut) listener(arg);
    };
    this.#wrapped.set(listener, wrapper);
    return this.#inner.on(event, wrapper);
  }

  off(event: string, listener: (arg: any) => void): unknown {
    if (event !== 'message') return this.#inner.off(event, listener);
    const wrapper = this.#wrapped.get(listener);
    if (wrapper === undefined) return this;
    this.#wrapped.delete(listener);
    return this.#inner.off(event, wrapper);
  }
}
