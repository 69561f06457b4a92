// Validators every area uses for its options, so a bad option fails at
// construction with KafkaConfigError naming the key, the value and what is
// allowed — never later, deep in a send.
import { KafkaConfigError } from '../errors/kafka-client-error.js';

function optionValue(options: object, key: string): unknown {
  return (options as Record<string, unknown>)[key];
}

/** An integer option in [min, max]; `fallback` when absent (undefined). */
export function intOption(options: object, key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = optionValue(options, key);
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new KafkaConfigError(key, value, max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`);
  }
  return value;
}

/** One of `allowed`; `fallback` when absent. */
export function enumOption<T extends string>(options: object, key: string, fallback: T, allowed: readonly T[]): T {
  const value = optionValue(options, key);
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new KafkaConfigError(key, value, allowed.map((a) => JSON.stringify(a)).join(', '));
  return value as T;
}

/** A boolean option; `fallback` when absent. */
export function booleanOption(options: object, key: string, fallback: boolean): boolean {
  const value = optionValue(options, key);
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new KafkaConfigError(key, value, 'true or false');
  return value;
}

/** A string option (non-empty unless `allowEmpty`); `fallback` when absent. */
export function stringOption(options: object, key: string, fallback: string, allowEmpty = false): string {
  const value = optionValue(options, key);
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || (!allowEmpty && value.length === 0)) {
    throw new KafkaConfigError(key, value, allowEmpty ? 'a string' : 'a non-empty string');
  }
  return value;
}
