/** A handler's reply whose buffers cross the port transferred (moved, not copied). */
export class TransferringReply<T = unknown> {
  constructor(
    readonly value: T,
    readonly transfer: readonly ArrayBuffer[],
  ) {}
}

/**
 * Return this from a handler to answer with `value` while moving `transfer`
 * to the asker: views over those buffers arrive without a copy, and this
 * thread can no longer use them.
 */
export function replyWithTransfer<T>(value: T, transfer: readonly ArrayBuffer[]): TransferringReply<T> {
  return new TransferringReply(value, transfer);
}
