// How the `kstream` command fails: one line on stderr and an exit code — 2
// for bad usage (a flag, a value, a missing argument), 1 for a runtime
// failure (an unknown topic, an unreachable bootstrap, a broker's error).
// Expected failures never print a stack trace; only a bug does.
import { CommanderError } from 'commander';
import { AdminBatchError, KafkaClientError, KafkaProtocolError } from '@kstream/client';
import { ConfigError } from '../config-error.js';

export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;

/** Bad usage found after parsing (a value of the wrong shape, flags that exclude each other): exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure the user can act on (topic "orders" does not exist, ...): exit 1. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

/** The line to print and the exit code for an error reaching the top of the command; null for a bug (print its stack). */
export function describeFailure(error: unknown): { message: string; exitCode: number } | null {
  if (error instanceof CommanderError) return { message: error.message.replace(/^error: /, '').replace(/\n+/g, ' '), exitCode: EXIT_USAGE };
  if (error instanceof UsageError || error instanceof ConfigError) return { message: error.message, exitCode: EXIT_USAGE };
  if (error instanceof CommandError) return { message: error.message, exitCode: EXIT_RUNTIME };
  if (error instanceof AdminBatchError && error.failures.length === 1) {
    // A protocol error names its topic or group itself.
    const [{ item, error: cause }] = error.failures as [{ item: string; error: KafkaClientError }];
    return { message: cause instanceof KafkaProtocolError ? cause.message : `${item}: ${cause.message}`, exitCode: EXIT_RUNTIME };
  }
  if (error instanceof KafkaClientError) return { message: error.message, exitCode: EXIT_RUNTIME };
  if (isSystemError(error)) return { message: error.message, exitCode: EXIT_RUNTIME };
  return null;
}

/** The Kafka error name of a failure (a single-item batch failure included), e.g. 'UNKNOWN_TOPIC_OR_PARTITION'. */
export function kafkaErrorName(error: unknown): string | undefined {
  const cause = error instanceof AdminBatchError && error.failures.length === 1 ? error.failures[0]!.error : error;
  return cause instanceof KafkaProtocolError ? cause.errorName : undefined;
}

/** A file that cannot be read, a pipe closed: Node's errors with a code. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && (error as NodeJS.ErrnoException).syscall !== undefined;
}
