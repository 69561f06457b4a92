// The shape every actor message shares, the one reply each ask gets, and the
// never-check that closes every actor's handler switch.

/** A member of an actor's discriminated union of messages, told apart by `type`. */
export interface ActorMessage {
  readonly type: string;
}

/** What travels back for each ask: exactly one of these, also when the handler throws. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

/** Thrown by `unknownMessage`; the mailbox answers it with UNKNOWN_MESSAGE instead of HANDLER_ERROR. */
export class UnknownMessageError extends Error {
  override readonly name = 'UnknownMessageError';

  constructor(readonly messageType: string) {
    super(`no handler for message type '${messageType}'`);
  }
}

/**
 * The `default` branch of an actor's `switch (msg.type)`. At compile time it
 * fails when a member of the union has no case; at run time a peer built from
 * a different version of the union can still send a type this side lacks, and
 * the asker then gets UNKNOWN_MESSAGE.
 */
export function unknownMessage(msg: never): never {
  const type = (msg as { type?: unknown } | null)?.type;
  throw new UnknownMessageError(typeof type === 'string' ? type : String(type));
}
