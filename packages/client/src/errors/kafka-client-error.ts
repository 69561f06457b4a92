// Every error the client hands to a user is a KafkaClientError: it says what
// failed (API, topic, partition, broker) and, through `retriable`, whether
// trying again can help, so callers never parse messages to decide.
import { errorInfo } from '@kstream/protocol';

export class KafkaClientError extends Error {
  override name = 'KafkaClientError';
  /** Whether a retry (after a metadata refresh or a reconnect) can succeed. */
  readonly retriable: boolean;

  constructor(message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options.retriable;
  }
}

/** Where a Kafka error code came from; each part present is named in the message. */
export interface ErrorContext {
  api?: string;
  topic?: string;
  partition?: number;
  /** "2 (127.0.0.1:9093)" as BrokerConnection's label has it, or a bare address. */
  broker?: string;
  /** The response's errorMessage, when it has one; preferred to Kafka's default message. */
  serverMessage?: string | null;
  groupId?: string;
}

/** A Kafka error code from a response, e.g. NOT_LEADER_OR_FOLLOWER; `retriable` is Kafka's own flag for the code. */
export class KafkaProtocolError extends KafkaClientError {
  override name = 'KafkaProtocolError';
  readonly code: number;
  readonly errorName: string;
  readonly api?: string;
  readonly topic?: string;
  readonly partition?: number;
  readonly broker?: string;
  readonly serverMessage?: string | null;
  readonly groupId?: string;

  constructor(code: number, context: ErrorContext = {}) {
    const info = errorInfo(code);
    super(protocolErrorMessage(info.name, info.message, info.retriable, context), { retriable: info.retriable });
    this.code = code;
    this.errorName = info.name;
    if (context.api !== undefined) this.api = context.api;
    if (context.topic !== undefined) this.topic = context.topic;
    if (context.partition !== undefined) this.partition = context.partition;
    if (context.broker !== undefined) this.broker = context.broker;
    if (context.serverMessage !== undefined) this.serverMessage = context.serverMessage;
    if (context.groupId !== undefined) this.groupId = context.groupId;
  }
}

// "NOT_LEADER_OR_FOLLOWER from broker 2 (127.0.0.1:9093) on Produce for orders-3: <message> (retriable)"
function protocolErrorMessage(name: string, kafkaMessage: string, retriable: boolean, context: ErrorContext): string {
  let message = name;
  if (context.broker !== undefined) message += ` from ${context.broker.startsWith('broker ') ? '' : 'broker '}${context.broker}`;
  if (context.api !== undefined) message += ` on ${context.api}`;
  if (context.topic !== undefined) message += ` for ${context.topic}${context.partition === undefined ? '' : `-${context.partition}`}`;
  if (context.groupId !== undefined) message += ` for group ${context.groupId}`;
  const detail = context.serverMessage || kafkaMessage;
  if (detail) message += `: ${detail}`;
  return `${message} (${retriable ? 'retriable' : 'not retriable'})`;
}

export function protocolError(code: number, context?: ErrorContext): KafkaProtocolError {
  return new KafkaProtocolError(code, context);
}

/** Throws the KafkaProtocolError for `code`; does nothing for 0 (NONE). */
export function throwIfError(code: number, context?: ErrorContext): void {
  if (code !== 0) throw new KafkaProtocolError(code, context);
}

/** The socket to a broker failed or closed; what was in flight on it may or may not have been processed. */
export class KafkaConnectionError extends KafkaClientError {
  override name = 'KafkaConnectionError';

  constructor(message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, { retriable: options.retriable ?? true, cause: options.cause });
  }
}

/** A request got no response within its timeout; the connection it was sent on is closed. */
export class KafkaTimeoutError extends KafkaClientError {
  override name = 'KafkaTimeoutError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { retriable: true, cause: options.cause });
  }
}

/** A retriable operation kept failing until its deadline or retry budget ran out; `cause` is the last failure. */
export class KafkaRetriesExhaustedError extends KafkaClientError {
  override name = 'KafkaRetriesExhaustedError';

  constructor(
    message: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(message, { retriable: false, cause });
  }
}

/** The broker supports no version of an API (or of the feature) the client needs. */
export class KafkaUnsupportedVersionError extends KafkaClientError {
  override name = 'KafkaUnsupportedVersionError';

  constructor(message: string) {
    super(message, { retriable: false });
  }
}

/** A bad option, caught at construction: names the key, the value given and what is allowed. */
export class KafkaConfigError extends KafkaClientError {
  override name = 'KafkaConfigError';

  constructor(
    readonly key: string,
    value: unknown,
    allowed: string,
  ) {
    super(`bad option ${key}: ${describeValue(value)}; allowed: ${allowed}`, { retriable: false });
  }
}

/** A producer, consumer, admin or cluster client used after close(). */
export class KafkaClosedError extends KafkaClientError {
  override name = 'KafkaClosedError';

  constructor(message: string) {
    super(message, { retriable: false });
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}
