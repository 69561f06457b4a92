/**
 * A message that could not be decoded or encoded, located precisely:
 * "Fetch v12 request: topics[0].partitions: array length 2147483647 exceeds
 * the 35 bytes left". The primitives throw with the reason only; the path is
 * prepended segment by segment while the error unwinds through the struct
 * and array codecs, and the codec names the message last — so the fast path
 * carries no bookkeeping at all.
 */
export abstract class ProtocolError extends Error {
  /** "Fetch v12 request", once the codec has named the message. */
  context = '';
  /** e.g. "topics[0].partitions"; empty when the failure is at the message level. */
  path = '';

  constructor(readonly reason: string) {
    super(reason);
  }

  /** Prepends a field name or an "[index]" while the error unwinds. */
  within(segment: string): this {
    this.path = this.path === '' ? segment : this.path.startsWith('[') ? segment + this.path : `${segment}.${this.path}`;
    this.message = this.describe();
    return this;
  }

  /** Names the message (API, version, request or response); the first name given sticks. */
  inMessage(context: string): this {
    if (this.context === '') {
      this.context = context;
      this.message = this.describe();
    }
    return this;
  }

  /** Names the message of any error that is a ProtocolError; for a catch block that rethrows. */
  static inMessage(error: unknown, context: string): unknown {
    return error instanceof ProtocolError ? error.inMessage(context) : error;
  }

  private describe(): string {
    return [this.context, this.path, this.reason].filter((part) => part !== '').join(': ');
  }
}

/**
 * Bytes that are not a valid encoding of the message: short, oversized, a
 * bad length or varint, trailing garbage. It carries no stack trace: its
 * message locates the fault in the bytes, the stack would only show the
 * decoder, and a peer sending garbage should not cost the broker a stack
 * capture per frame.
 */
export class ProtocolDecodeError extends ProtocolError {
  override readonly name: string = 'ProtocolDecodeError';

  constructor(reason: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(reason);
    Error.stackTraceLimit = limit;
  }
}

/** A value the wire cannot carry in this version: null for a non-nullable field, out of range for its type, a malformed uuid. */
export class ProtocolEncodeError extends ProtocolError {
  override readonly name: string = 'ProtocolEncodeError';
}
