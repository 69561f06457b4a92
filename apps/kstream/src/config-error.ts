/**
 * A problem with how kstream was invoked or configured: the CLI prints its
 * message as one line and exits with code 2. The message names the flag, the
 * value given and what is allowed.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
