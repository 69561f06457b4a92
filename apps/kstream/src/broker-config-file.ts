// Broker configs from a file in Java's properties format, as Kafka's
// server.properties: `#` or `!` comment lines, `key=value`, `key: value` or
// `key value`, a trailing backslash continuing a line, and Java's escapes.
import { readFileSync } from 'node:fs';
import type { Logger } from '@kstream/actor';
import { BROKER_CONFIGS, InvalidConfigValueError, UnknownConfigError, validateBrokerConfig } from '@kstream/metadata';
import type { BrokerConfigProps } from '@kstream/metadata';
import { closestName } from './closest-name.js';
import { ConfigError } from './config-error.js';
import { describeKafkaOnly, KAFKA_ONLY_CONFIGS } from './kafka-only-configs.js';

export interface PropertiesEntry {
  readonly key: string;
  readonly value: string;
  /** The line the entry starts on, from 1. */
  readonly line: number;
}

/** A line of a properties file that cannot be read as an entry. */
export class PropertiesSyntaxError extends Error {
  override readonly name = 'PropertiesSyntaxError';

  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

const WHITESPACE = new Set([' ', '\t', '\f']);

/**
 * Reads the entries of a properties text in order. Stricter than Java in
 * what is surely a mistake: a key with neither separator nor value, an empty
 * key, a malformed \uXXXX escape, and a key set twice are PropertiesSyntaxErrors.
 */
export function parseProperties(text: string): PropertiesEntry[] {
  const lines = text.split(/\r\n|\r|\n/);
  const entries: PropertiesEntry[] = [];
  const firstLine = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const lineNumber = i + 1;
    let logical = trimStart(lines[i]!);
    if (logical === '' || logical.startsWith('#') || logical.startsWith('!')) continue;
    while (endsInEscape(logical)) {
      logical = logical.slice(0, -1);
      if (++i >= lines.length) break;
      logical += trimStart(lines[i]!);
    }
    const entry = parseEntry(logical, lineNumber);
    const earlier = firstLine.get(entry.key);
    if (earlier !== undefined) throw new PropertiesSyntaxError(lineNumber, `${entry.key} is set again (first on line ${earlier})`);
    firstLine.set(entry.key, lineNumber);
    entries.push(entry);
  }
  return entries;
}

/**
 * Reads broker configs from `path` and validates them; a problem ends the
 * CLI with a ConfigError naming the file, the line, the key and what is
 * allowed. Kafka settings kstream does not apply (KAFKA_ONLY_CONFIGS), as a
 * Kafka server.properties has them, are left out, named in one warning.
 */
export function readBrokerConfigFile(path: string, logger: Logger): BrokerConfigProps {
  const where = `--config-file ${path}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${where}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let entries: PropertiesEntry[];
  try {
    entries = parseProperties(text);
  } catch (error) {
    if (error instanceof PropertiesSyntaxError) throw new ConfigError(`${where} ${error.message}`);
    throw error;
  }
  const props: Record<string, string> = {};
  const ignored = new Set<string>();
  for (const { key, value, line } of entries) {
    if (KAFKA_ONLY_CONFIGS.has(key)) {
      ignored.add(key);
      continue;
    }
    checkBrokerConfig(`${where} line ${line}`, key, value);
    props[key] = value;
  }
  if (ignored.size > 0) {
    logger.warn(`${where}: ignoring ${ignored.size} Kafka settings that do not apply to kstream: ${describeKafkaOnly(ignored)}`);
  }
  return props;
}

/**
 * Validates one broker config; a bad one is a ConfigError prefixed with where
 * it was given. An unknown key names the known key it is likely a
 * misspelling of, or else every known key; a Kafka-only one says why it does
 * not apply.
 */
export function checkBrokerConfig(where: string, key: string, value: string): void {
  try {
    validateBrokerConfig({ [key]: value });
  } catch (error) {
    if (error instanceof UnknownConfigError) throw new ConfigError(`${where}: ${unknownKeyProblem(key, error)}`);
    if (error instanceof InvalidConfigValueError) throw new ConfigError(`${where}: ${error.message}`);
    throw error;
  }
}

function unknownKeyProblem(key: string, error: UnknownConfigError): string {
  const kafkaOnly = KAFKA_ONLY_CONFIGS.get(key);
  if (kafkaOnly !== undefined) return `${key} is a Kafka setting kstream does not apply: ${kafkaOnly}`;
  const closest = closestName(key, [...BROKER_CONFIGS.keys(), ...KAFKA_ONLY_CONFIGS.keys()]);
  return closest === undefined ? error.message : `Unknown broker config name: ${key}; did you mean ${closest}?`;
}

function parseEntry(logical: string, line: number): PropertiesEntry {
  let end = 0;
  while (end < logical.length) {
    const c = logical[end]!;
    if (c === '\\') end += 2;
    else if (c === '=' || c === ':' || WHITESPACE.has(c)) break;
    else end += 1;
  }
  end = Math.min(end, logical.length);
  const key = unescapeProperty(logical.slice(0, end), line);
  if (key === '') throw new PropertiesSyntaxError(line, `an entry needs a key before ${JSON.stringify(logical[0])}`);
  let start = end;
  while (start < logical.length && WHITESPACE.has(logical[start]!)) start++;
  const separated = logical[start] === '=' || logical[start] === ':';
  if (separated) start++;
  while (start < logical.length && WHITESPACE.has(logical[start]!)) start++;
  const value = unescapeProperty(logical.slice(start), line);
  if (!separated && value === '') {
    throw new PropertiesSyntaxError(line, `${key} has no value; write ${key}=value`);
  }
  return { key, value, line };
}

function trimStart(text: string): string {
  let i = 0;
  while (i < text.length && WHITESPACE.has(text[i]!)) i++;
  return text.slice(i);
}

/** An odd number of trailing backslashes escapes the line break. */
function endsInEscape(text: string): boolean {
  let count = 0;
  for (let i = text.length - 1; i >= 0 && text[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescapeProperty(text: string, line: number): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\' || i === text.length - 1) {
      out += c === '\\' ? '' : c;
      continue;
    }
    const next = text[++i]!;
    if (next === 'u') {
      const hex = text.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new PropertiesSyntaxError(line, `malformed \\u escape ${JSON.stringify(`\\u${hex}`)}: it needs four hex digits`);
      }
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += SIMPLE_ESCAPES[next] ?? next;
    }
  }
  return out;
}
