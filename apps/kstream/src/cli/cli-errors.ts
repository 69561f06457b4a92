// How the `kstream` command fails: one line on stderr and an exit code — 2
// for bad usage (a flag, a value, a missing argument), 1 for a runtime
// failure (an unknown topic, an unreachable bootstrap, a broker's error).
// Expected failures never print a stack trace; only a bug does.
import { CommanderError } from 'commander';
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
export async function describeFailure(error: unknown): Promise<{ message: string; exitCode: number } | null> {
  if (error instanceof CommanderError) return { message: error.message.replace(/^error: /, '').replace(/\n+/g, ' '), exitCode: EXIT_USAGE };
  if (error instanceof UsageError || error instanceof ConfigError) return { message: error.message, exitCode: EXIT_USAGE };
  if (error instanceof CommandError) return { message: error.message, exitCode: EXIT_RUNTIME };
  if (isSystemError(error)) return { message: error.message, exitCode: EXIT_RUNTIME };
  // Only a client command can fail with the client's errors: it has loaded the client already.
  const { AdminBatchError, KafkaClientError, KafkaProtocolError } = await import('@kstream/client');
  if (error instanceof AdminBatchError && error.failures.length === 1) {
    // A protocol error names its topic or group itself.
    const { item, error: cause } = error.failures[0]!;
    return { message: cause instanceof KafkaProtocolError ? cause.message : `${item}: ${cause.message}`, exitCode: EXIT_RUNTIME };
  }
  if (error instanceof KafkaClientError) return { message: error.message, exitCode: EXIT_RUNTIME };
  return null;
}

/** A file that cannot be read, a pipe closed: Node's errors with a code. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && (error as NodeJS.ErrnoException).syscall !== undefined;
}
