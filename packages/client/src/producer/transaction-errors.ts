// The errors a transactional producer adds to the client's: fencing (fatal:
// the producer must be closed), records dropped by an abort, and a
// transaction used in a state that does not allow the call.
import { ErrorCode } from '@kstream/protocol';
import { KafkaClientError, KafkaProtocolError, protocolError, type ErrorContext } from '../errors/index.js';

/**
 * PRODUCER_FENCED, or INVALID_PRODUCER_EPOCH on a transactional producer: a
 * newer producer with the same transactional id took over (or the
 * coordinator expired this producer's epoch). Fatal: every call but close()
 * rejects with it from then on.
 */
export class KafkaProducerFencedError extends KafkaClientError {
  override name = 'KafkaProducerFencedError';
  /** PRODUCER_FENCED or INVALID_PRODUCER_EPOCH. */
  readonly code: number;
  readonly errorName: string;

  constructor(
    readonly transactionalId: string,
    cause: KafkaProtocolError,
  ) {
    super(`the producer with transactional id ${transactionalId} is fenced (${cause.message}): another producer with this transactional id took over; close this producer`, {
      retriable: false,
      cause,
    });
    this.code = cause.code;
    this.errorName = cause.errorName;
  }
}

/** A record of an aborted transaction that had not been sent: it is dropped, never written. */
export class KafkaTransactionAbortedError extends KafkaClientError {
  override name = 'KafkaTransactionAbortedError';

  constructor(message: string) {
    super(message, { retriable: false });
  }
}

/** A call the transaction's state does not allow: a send outside a transaction, a second transaction, a call on an ended one. */
export class KafkaTransactionStateError extends KafkaClientError {
  override name = 'KafkaTransactionStateError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { retriable: false, cause: options.cause });
  }
}

/** Codes after which the transactional producer can do nothing more (Kafka's fatal errors). */
const FATAL_CODES: ReadonlySet<number> = new Set([
  ErrorCode.PRODUCER_FENCED,
  ErrorCode.INVALID_PRODUCER_EPOCH,
  ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  ErrorCode.INVALID_PRODUCER_ID_MAPPING,
  ErrorCode.INVALID_TXN_STATE,
  ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
  ErrorCode.INVALID_TRANSACTION_TIMEOUT,
]);

/** The error for a code a transactional request got: fencing codes as KafkaProducerFencedError, the rest as KafkaProtocolError. */
export function transactionalError(transactionalId: string, code: number, context: ErrorContext): KafkaClientError {
  const error = protocolError(code, context);
  if (code === ErrorCode.PRODUCER_FENCED || code === ErrorCode.INVALID_PRODUCER_EPOCH) return new KafkaProducerFencedError(transactionalId, error);
  return error;
}

/** Whether the error leaves the producer unusable rather than only its transaction. */
export function isFatalTransactionError(error: unknown): boolean {
  return error instanceof KafkaProducerFencedError || (error instanceof KafkaProtocolError && FATAL_CODES.has(error.code));
}
