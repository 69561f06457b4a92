// The options every client (producer, consumer, admin) shares: where the
// cluster is, timeouts, retries, the logger. Names are camelCase of the Java
// client's configs, defaults are Kafka's.
import { KafkaConfigError } from '../errors/kafka-client-error.js';
import { RETRY_DEFAULTS, type RetryOptions } from '../errors/retry.js';
import { intOption, stringOption } from './option-validators.js';

export interface ClientLogger {
  debug(message: string, fields?: object): void;
  info(message: string, fields?: object): void;
  warn(message: string, fields?: object): void;
  error(message: string, fields?: object): void;
}

export interface ClientOptions extends RetryOptions {
  /** Any brokers of the cluster: "host:port,host:port" or ["host:port", ...]; Kafka's bootstrap.servers. */
  bootstrap: string | readonly string[];
  /** Sent in every request header; default 'kstream-client'. */
  clientId?: string;
  /** TCP connect plus ApiVersions; default 10000 (socket.connection.setup.timeout.max.ms-like). */
  connectTimeoutMs?: number;
  /** Default 30000. A request unanswered this long closes its connection, as Kafka's clients do. */
  requestTimeoutMs?: number;
  /** Default 300000: metadata is refreshed at least this often. */
  metadataMaxAgeMs?: number;
  /**
   * Default 5. A producer without idempotence keeps record order across
   * retries only with 1, as Kafka's max.in.flight.requests.per.connection.
   */
  maxInFlightRequestsPerConnection?: number;
  /** Default: warn and error to the console with fields as JSON; debug and info dropped. */
  logger?: ClientLogger;
}

export interface BrokerAddress {
  host: string;
  port: number;
}

export type ResolvedClientOptions = Required<Omit<ClientOptions, 'bootstrap'>> & { bootstrap: readonly BrokerAddress[] };

export const CLIENT_ID = 'kstream-client';

const consoleLogger: ClientLogger = {
  debug() {},
  info() {},
  warn: (message, fields) => console.warn(withFields(message, fields)),
  error: (message, fields) => console.error(withFields(message, fields)),
};

/** The message with its fields as JSON; offsets (bigint) as numbers' text, and never a throw from a field that will not serialize. */
function withFields(message: string, fields: object | undefined): string {
  if (fields === undefined) return message;
  try {
    return `${message} ${JSON.stringify(fields, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}`;
  } catch {
    return `${message} ${String(fields)}`;
  }
}

/** Validates and fills in defaults; throws KafkaConfigError. Resolving resolved options again returns equal options. */
export function resolveClientOptions(options: ClientOptions | ResolvedClientOptions): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null) throw new KafkaConfigError('options', options, 'an object with at least bootstrap');
  const retryBackoffMs = intOption(options, 'retryBackoffMs', RETRY_DEFAULTS.retryBackoffMs, 0);
  return {
    bootstrap: parseBootstrap(options.bootstrap),
    clientId: stringOption(options, 'clientId', CLIENT_ID),
    connectTimeoutMs: intOption(options, 'connectTimeoutMs', 10_000, 1),
    requestTimeoutMs: intOption(options, 'requestTimeoutMs', 30_000, 1),
    metadataMaxAgeMs: intOption(options, 'metadataMaxAgeMs', 300_000, 0),
    maxInFlightRequestsPerConnection: intOption(options, 'maxInFlightRequestsPerConnection', 5, 1),
    retryBackoffMs,
    retryBackoffMaxMs: intOption(options, 'retryBackoffMaxMs', Math.max(RETRY_DEFAULTS.retryBackoffMaxMs, retryBackoffMs), retryBackoffMs),
    retries: options.retries === Infinity ? Infinity : intOption(options, 'retries', RETRY_DEFAULTS.retries, 0),
    logger: loggerOption(options.logger),
  };
}

const ALLOWED_BOOTSTRAP = 'host:port pairs, as "h1:9092,h2:9092" or ["h1:9092", "h2:9092"] ([::1]:9092 for IPv6)';

function parseBootstrap(value: unknown): BrokerAddress[] {
  const entries = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  if (entries === undefined) throw new KafkaConfigError('bootstrap', value, ALLOWED_BOOTSTRAP);
  const addresses: BrokerAddress[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string' && entry.trim() === '') continue;
    const address = typeof entry === 'string' ? parseAddress(entry.trim()) : resolvedAddress(entry);
    if (address === undefined) throw new KafkaConfigError('bootstrap', value, ALLOWED_BOOTSTRAP);
    addresses.push(address);
  }
  if (addresses.length === 0) throw new KafkaConfigError('bootstrap', value, ALLOWED_BOOTSTRAP);
  return addresses;
}

const HOST_PORT = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/;

function parseAddress(text: string): BrokerAddress | undefined {
  const match = HOST_PORT.exec(text);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1] ?? match[2]!, port };
}

/** An entry of already-resolved options: { host, port }. */
function resolvedAddress(entry: unknown): BrokerAddress | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { host, port } = entry as Partial<BrokerAddress>;
  if (typeof host !== 'string' || host === '' || typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

function loggerOption(logger: unknown): ClientLogger {
  if (logger === undefined) return consoleLogger;
  const methods = ['debug', 'info', 'warn', 'error'] as const;
  if (typeof logger !== 'object' || logger === null || methods.some((m) => typeof (logger as Record<string, unknown>)[m] !== 'function')) {
    throw new KafkaConfigError('logger', logger, 'an object with debug, info, warn and error methods');
  }
  return logger as ClientLogger;
}
