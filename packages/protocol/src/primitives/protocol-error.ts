/**
 * A message that could not be decoded or encoded, located precisely:
 * "Fetch v12 request: topics[0].partitions: array length 2147483647 exceeds
 * the 35 bytes left". A decoder knows where it is when it fails (the reader
 * keeps the field path and the message's name), so a decode error is built
 * whole and thrown once. An encoder learns the path while the error unwinds
 * through the struct and array encoders, each prepending its segment.
 */
export abstract class ProtocolError extends Error {
  constructor(
    readonly reason: string,
    /** e.g. "topics[0].partitions"; empty when the failure is at the message level. */
    public path = '',
    /** e.g. "Fetch v12 request"; empty until the message is named. */
    public context = '',
  ) {
    super(describe(context, path, reason));
  }

  /** Prepends a field name or an "[index]" while the error unwinds. */
  within(segment: string): this {
    this.path = this.path === '' ? segment : this.path.startsWith('[') ? segment + this.path : `${segment}.${this.path}`;
    this.message = describe(this.context, this.path, this.reason);
    return this;
  }

  /** Names the message (API, version, request or response); the first name given sticks. */
  inMessage(context: string): this {
    if (this.context === '') {
      this.context = context;
      this.message = describe(this.context, this.path, this.reason);
    }
    return this;
  }

  /** Names the message of any error that is a ProtocolError; for a catch block that rethrows. */
  static inMessage(error: unknown, context: string): unknown {
    return error instanceof ProtocolError ? error.inMessage(context) : error;
  }
}

function describe(context: string, path: string, reason: string): string {
  let message = reason;
  if (path !== '') message = `${path}: ${message}`;
  if (context !== '') message = `${context}: ${message}`;
  return message;
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

  constructor(reason: string, path = '', context = '') {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(reason, path, context);
    Error.stackTraceLimit = limit;
  }
}

/** A value the wire cannot carry in this version: null for a non-nullable field, out of range for its type, a malformed uuid. */
export class ProtocolEncodeError extends ProtocolError {
  override readonly name: string = 'ProtocolEncodeError';
}
