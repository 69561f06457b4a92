// Retries with exponential backoff and jitter, for retriable errors only and
// never past a deadline: the shape of Kafka's retry.backoff.ms /
// retry.backoff.max.ms (KIP-580) bounded by delivery.timeout.ms-style limits.
import { KafkaClientError, KafkaClosedError, KafkaRetriesExhaustedError } from './kafka-client-error.js';

export interface RetryOptions {
  /** First backoff; Kafka's retry.backoff.ms. Default 100. */
  retryBackoffMs?: number;
  /** Backoff cap; Kafka's retry.backoff.max.ms. Default 1000. */
  retryBackoffMaxMs?: number;
  /** Retries after the first attempt; Infinity (the default) leaves the bound to the deadline. */
  retries?: number;
}

export const RETRY_DEFAULTS: Required<RetryOptions> = Object.freeze({ retryBackoffMs: 100, retryBackoffMaxMs: 1000, retries: Infinity });

const JITTER = 0.2;

/**
 * The wait after failed attempt `attempt` (0 for the first): retryBackoffMs
 * doubled per attempt, capped at retryBackoffMaxMs, then spread by ±20% so
 * clients that failed together do not retry together (as Kafka's
 * ExponentialBackoff does, the jitter may take a capped wait 20% past the cap).
 */
export function backoffDelay(attempt: number, options: Required<RetryOptions>): number {
  const base = Math.min(options.retryBackoffMaxMs, options.retryBackoffMs * 2 ** Math.min(attempt, 52));
  return Math.round(base * (1 - JITTER + Math.random() * 2 * JITTER));
}

export interface WithRetryOptions extends Required<RetryOptions> {
  /** Date.now() after which no attempt starts. */
  deadline: number;
  /** What is being tried, for KafkaRetriesExhaustedError's message: "Metadata for orders". */
  description: string;
  /** Runs before each wait, e.g. to invalidate metadata; a throw from it ends the retries. */
  onRetry?: (error: KafkaClientError, attempt: number) => void | Promise<void>;
  signal?: AbortSignal;
}

/**
 * Runs `operation(attempt)` until it resolves. A KafkaClientError with
 * retriable === true is retried after backoffDelay, unless the retries are
 * used up or the wait would end past the deadline: then
 * KafkaRetriesExhaustedError, with the last error as its cause. Anything
 * else is rethrown as it is.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: WithRetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(options);
    try {
      return await operation(attempt);
    } catch (error) {
      if (!(error instanceof KafkaClientError) || !error.retriable) throw error;
      const delay = backoffDelay(attempt, options);
      const attempts = attempt + 1;
      if (attempt >= options.retries) {
        throw new KafkaRetriesExhaustedError(`${options.description} failed after ${attempts} attempts: ${error.message}`, attempts, error);
      }
      if (Date.now() + delay >= options.deadline) {
        throw new KafkaRetriesExhaustedError(`${options.description} failed after ${attempts} attempts, its deadline reached: ${error.message}`, attempts, error);
      }
      if (options.onRetry !== undefined) await options.onRetry(error, attempt);
      await sleep(delay, options.signal, options.description);
    }
  }
}

function throwIfAborted(options: WithRetryOptions): void {
  if (options.signal?.aborted) throw abortError(options.signal, options.description);
}

function abortError(signal: AbortSignal, description: string): unknown {
  return signal.reason instanceof Error ? signal.reason : new KafkaClosedError(`${description} was aborted`);
}

function sleep(ms: number, signal: AbortSignal | undefined, description: string): Promise<void> {
  if (signal === undefined) return new Promise((resolve) => setTimeout(resolve, ms));
  if (signal.aborted) return Promise.reject(abortError(signal, description));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal, description));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
