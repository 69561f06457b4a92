import type { Transferable } from 'node:worker_threads';

/**
 * The side of a channel a mailbox is bound to: a MessagePort, a Worker (seen
 * from its parent) or worker_threads' parentPort. A MessagePort emits 'close'
 * when either end closes; a Worker emits 'exit' when its thread ends.
 */
export interface Endpoint {
  postMessage(value: unknown, transferList?: readonly Transferable[]): void;
  on(event: string, listener: (arg: any) => void): unknown;
  off(event: string, listener: (arg: any) => void): unknown;
}
