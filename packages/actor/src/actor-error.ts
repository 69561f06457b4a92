export type ActorErrorCode = 'TIMEOUT' | 'HANDLER_ERROR' | 'MALFORMED' | 'UNKNOWN_MESSAGE' | 'CLOSED';

const codes: ReadonlySet<string> = new Set<ActorErrorCode>(['TIMEOUT', 'HANDLER_ERROR', 'MALFORMED', 'UNKNOWN_MESSAGE', 'CLOSED']);

export function isActorErrorCode(code: unknown): code is ActorErrorCode {
  return typeof code === 'string' && codes.has(code);
}

/** Why an ask failed, with the mailbox and the message type it concerned. */
export class ActorError extends Error {
  override readonly name = 'ActorError';

  constructor(
    readonly code: ActorErrorCode,
    message: string,
    /** The name of the mailbox the ask went through. */
    readonly actor: string,
    readonly messageType: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
