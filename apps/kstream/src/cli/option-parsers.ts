// Parsers for commander options: each turns one flag's text into its value or
// throws commander's InvalidArgumentError, which commander reports as
// "option '--partitions <n>' argument 'x' is invalid. <reason>" (exit 2).
import { InvalidArgumentError } from 'commander';

export function integer(min: number, max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`Expected an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}.`);
    }
    return value;
  };
}

export function offset(text: string): bigint {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError('Expected an offset: an integer from 0.');
  return BigInt(text.trim());
}

/** A repeatable `key=value` flag, collected into a record; a key given twice is an error. */
export function keyValue(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('Expected key=value.');
  const key = text.slice(0, eq);
  if (key in previous) throw new InvalidArgumentError(`${key} is given more than once.`);
  return { ...previous, [key]: text.slice(eq + 1) };
}

/** A repeatable flag, collected into a list. */
export function collect(text: string, previous: string[] = []): string[] {
  return [...previous, text];
}

/** Kafka's acks: 0, 1, -1 or all. */
export function acks(text: string): 0 | 1 | -1 {
  if (text === 'all' || text === '-1') return -1;
  if (text === '0' || text === '1') return Number(text) as 0 | 1;
  throw new InvalidArgumentError('Expected 0, 1, -1 or all.');
}

/** A time as ISO 8601 (2026-01-31T12:00:00Z, or a date) or milliseconds since the epoch. */
export function dateTime(text: string): number {
  const time = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(time)) throw new InvalidArgumentError('Expected an ISO 8601 time (2026-01-31T12:00:00Z) or epoch milliseconds.');
  return time;
}
