import type * as net from 'node:net';
import type * as tls from 'node:tls';
import type { ClientOptions } from '../options/index.js';
import type { logLevel } from './constants.js';
import { KafkaJSNonRetriableError } from './errors.js';
import { clientLoggerFor, type Logger, type logCreator } from './logger.js';

export type BrokersFunction = () => string[] | Promise<string[]>;

// kafkajs's TLS, SASL and socket types, so programs that name them still
// compile; the options themselves are refused at construction (see
// validateKafkaConfig) until the client supports them.
export interface ISocketFactoryArgs {
  host: string;
  port: number;
  ssl: tls.ConnectionOptions;
  onConnect: () => void;
}
export type ISocketFactory = (args: ISocketFactoryArgs) => net.Socket;
export interface OauthbearerProviderResponse {
  value: string;
}
type SASLMechanismOptionsMap = {
  plain: { username: string; password: string };
  'scram-sha-256': { username: string; password: string };
  'scram-sha-512': { username: string; password: string };
  aws: { authorizationIdentity: string; accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  oauthbearer: { oauthBearerProvider: () => Promise<OauthbearerProviderResponse> };
};
export type SASLMechanism = keyof SASLMechanismOptionsMap;
type SASLMechanismOptions<T> = T extends SASLMechanism ? { mechanism: T } & SASLMechanismOptionsMap[T] : never;
export type SASLOptions = SASLMechanismOptions<SASLMechanism>;
export type Mechanism = { mechanism: string; authenticationProvider: (args: any) => { authenticate: () => Promise<void> } };

export interface RetryOptions {
  /** The longest wait between two attempts (kafkajs: 30000). */
  maxRetryTime?: number;
  /** The first wait (kafkajs: 300). */
  initialRetryTime?: number;
  /** Jitter; the client always uses ±20%, kafkajs's default 0.2. */
  factor?: number;
  /** Growth of the wait; the client always doubles, kafkajs's default 2. */
  multiplier?: number;
  /** kafkajs: 5. */
  retries?: number;
  restartOnFailure?: (e: Error) => Promise<boolean>;
}

export interface KafkaConfig {
  brokers: string[] | BrokersFunction;
  /** Not supported yet: only `false` or absent is accepted. */
  ssl?: tls.ConnectionOptions | boolean;
  /** Not supported yet: only absent is accepted. */
  sasl?: SASLOptions | Mechanism;
  clientId?: string;
  connectionTimeout?: number;
  authenticationTimeout?: number;
  reauthenticationThreshold?: number;
  requestTimeout?: number;
  enforceRequestTimeout?: boolean;
  retry?: RetryOptions;
  /** Not supported: only absent is accepted (the client opens its own sockets). */
  socketFactory?: ISocketFactory;
  logLevel?: logLevel;
  logCreator?: logCreator;
}

/** kafkajs's retry defaults, which a kafkajs program was tuned for. */
export const KAFKAJS_RETRY_DEFAULTS = { maxRetryTime: 30_000, initialRetryTime: 300, retries: 5, multiplier: 2, factor: 0.2 } as const;

/**
 * Rejects what the client cannot honour rather than run without it: TLS,
 * SASL and custom sockets would otherwise connect in plain text or fail
 * on the broker's side with a less clear error.
 */
export function validateKafkaConfig(config: KafkaConfig): void {
  if (config === null || typeof config !== 'object') throw new KafkaJSNonRetriableError('Kafka config must be an object with a brokers list');
  const brokers = config.brokers as unknown;
  if (!(Array.isArray(brokers) || typeof brokers === 'function')) {
    throw new KafkaJSNonRetriableError(`bad option brokers: ${String(brokers)}; allowed: an array of "host:port" or a function returning one`);
  }
  if (config.ssl !== undefined && config.ssl !== false) {
    throw new KafkaJSNonRetriableError('bad option ssl; allowed: false or absent (TLS is not supported by @kstream/client yet)');
  }
  if (config.sasl !== undefined) {
    throw new KafkaJSNonRetriableError('bad option sasl; allowed: absent (SASL is not supported by @kstream/client yet)');
  }
  if (config.socketFactory !== undefined) {
    throw new KafkaJSNonRetriableError('bad option socketFactory; allowed: absent (the client opens its own sockets)');
  }
}

/** The broker list, calling kafkajs's brokers function when given one (on each connect, as kafkajs does). */
export async function resolveBrokers(brokers: KafkaConfig['brokers']): Promise<string[]> {
  const list = typeof brokers === 'function' ? await brokers() : brokers;
  if (!Array.isArray(list) || list.length === 0 || list.some((b) => typeof b !== 'string')) {
    throw new KafkaJSNonRetriableError(`Failed to connect: brokers should be a non-empty array of "host:port", got ${JSON.stringify(list)}`);
  }
  return list;
}

/**
 * Our client options from kafkajs's: timeouts and retry map one to one
 * (initialRetryTime -> retryBackoffMs, maxRetryTime -> retryBackoffMaxMs).
 * `retry` of the producer/consumer/admin overrides the Kafka object's.
 */
export function clientOptionsFor(
  config: KafkaConfig,
  bootstrap: readonly string[],
  logger: Logger,
  retry: RetryOptions | undefined,
  extra: { maxInFlightRequests?: number | null; metadataMaxAge?: number },
): ClientOptions {
  const merged = { ...KAFKAJS_RETRY_DEFAULTS, ...config.retry, ...retry };
  if (merged.multiplier !== 2 || merged.factor !== 0.2) {
    logger.warn('retry.multiplier and retry.factor are fixed at 2 and 0.2 in @kstream/client; the given values are not used', {
      multiplier: merged.multiplier,
      factor: merged.factor,
    });
  }
  const options: ClientOptions = {
    bootstrap,
    logger: clientLoggerFor(logger),
    retryBackoffMs: merged.initialRetryTime,
    retryBackoffMaxMs: merged.maxRetryTime,
    retries: merged.retries,
  };
  if (config.clientId !== undefined) options.clientId = config.clientId;
  if (config.connectionTimeout !== undefined) options.connectTimeoutMs = config.connectionTimeout;
  if (config.requestTimeout !== undefined) options.requestTimeoutMs = config.requestTimeout;
  if (extra.maxInFlightRequests !== undefined && extra.maxInFlightRequests !== null) {
    options.maxInFlightRequestsPerConnection = extra.maxInFlightRequests;
  }
  if (extra.metadataMaxAge !== undefined) options.metadataMaxAgeMs = extra.metadataMaxAge;
  return options;
}
