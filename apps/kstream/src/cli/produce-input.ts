// What `kstream produce` makes of each input line: the line as the value;
// with a key separator, the text before its first occurrence as the key; in
// JSON mode, one object per line: { "key", "value", "headers", "partition" }
// (key and value strings, null, or any JSON, sent as its JSON text; headers
// an object of strings). A line that does not fit is a CommandError naming
// its line number.
import { CommandError } from './cli-errors.js';

export interface InputRecord {
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Record<string, string>;
  readonly partition?: number;
}

export interface InputMode {
  readonly json: boolean;
  readonly keySeparator?: string;
}

export function parseInputLine(line: string, lineNumber: number, mode: InputMode): InputRecord {
  if (mode.json) return parseJsonLine(line, lineNumber);
  if (mode.keySeparator === undefined) return { key: null, value: line, headers: {} };
  const at = line.indexOf(mode.keySeparator);
  if (at < 0) throw new CommandError(`line ${lineNumber}: no key separator ${JSON.stringify(mode.keySeparator)} in ${JSON.stringify(truncated(line))}`);
  return { key: line.slice(0, at), value: line.slice(at + mode.keySeparator.length), headers: {} };
}

function parseJsonLine(line: string, lineNumber: number): InputRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new CommandError(`line ${lineNumber}: not JSON (${(error as Error).message}): ${JSON.stringify(truncated(line))}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CommandError(`line ${lineNumber}: expected an object { "key", "value", "headers", "partition" }, got ${JSON.stringify(truncated(line))}`);
  }
  const { key, value, headers, partition, ...rest } = parsed as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new CommandError(`line ${lineNumber}: unknown field ${JSON.stringify(unknown[0])} (allowed: key, value, headers, partition)`);
  if (partition !== undefined && (!Number.isInteger(partition) || (partition as number) < 0)) {
    throw new CommandError(`line ${lineNumber}: partition ${JSON.stringify(partition)} is not an integer from 0`);
  }
  if (headers !== undefined && (typeof headers !== 'object' || headers === null || Array.isArray(headers) || Object.values(headers).some((v) => typeof v !== 'string'))) {
    throw new CommandError(`line ${lineNumber}: headers must be an object of strings, got ${JSON.stringify(headers)}`);
  }
  return {
    key: jsonText(key),
    value: jsonText(value),
    headers: (headers ?? {}) as Record<string, string>,
    ...(partition === undefined ? {} : { partition: partition as number }),
  };
}

function jsonText(field: unknown): string | null {
  if (field === undefined || field === null) return null;
  return typeof field === 'string' ? field : JSON.stringify(field);
}

function truncated(line: string): string {
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
