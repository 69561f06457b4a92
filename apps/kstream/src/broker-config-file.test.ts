import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROKER_CONFIGS } from '@kstream/metadata';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProperties, PropertiesSyntaxError, readBrokerConfigFile } from './broker-config-file.js';
import { ConfigError } from './config-error.js';
import { KAFKA_ONLY_CONFIGS } from './kafka-only-configs.js';
import { LogCapture } from './log-capture.test-support.js';

const entries = (text: string) => parseProperties(text).map(({ key, value }) => [key, value]);

describe('parseProperties', () => {
  it('comments: # and ! lines, also indented, and blank lines are skipped', () => {
    expect(entries('# a comment\n  ! another\n\n\t\na=1\n#b=2\n')).toEqual([['a', '1']]);
  });

  it('separators: =, : and whitespace, with whitespace around them', () => {
    expect(entries('a=1\nb: 2\nc 3\nd  =  4\ne\t:\t5\nf=\ng = x = y')).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', '4'],
      ['e', '5'],
      ['f', ''],
      ['g', 'x = y'],
    ]);
  });

  it('trailingWhitespace is part of the value, as in Java', () => {
    expect(entries('a=1  ')).toEqual([['a', '1  ']]);
  });

  it('continuations: a trailing backslash joins the next line, minus its leading whitespace', () => {
    expect(entries('log.cleanup.policy=compact,\\\n    delete\nnext=1')).toEqual([
      ['log.cleanup.policy', 'compact,delete'],
      ['next', '1'],
    ]);
    expect(parseProperties('a=1\nb=x\\\n  y\\\n  z\nc=3').map((e) => e.line)).toEqual([1, 2, 5]);
    // An even number of backslashes is an escaped backslash, not a continuation.
    expect(entries('a=x\\\\\nb=2')).toEqual([
      ['a', 'x\\'],
      ['b', '2'],
    ]);
    // A comment line does not continue.
    expect(entries('# comment \\\na=1')).toEqual([['a', '1']]);
    expect(entries('a=1\\')).toEqual([['a', '1']]);
  });

  it('lineEndings: \\n, \\r\\n and \\r', () => {
    expect(entries('a=1\r\nb=2\rc=3')).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]);
  });

  it('escapes: separators in keys, \\t \\n, \\uXXXX', () => {
    expect(entries('my\\=key\\ x=v\\tw\\n\nu=\\u0041\\u00e9')).toEqual([
      ['my=key x', 'v\tw\n'],
      ['u', 'Aé'],
    ]);
  });

  it('badLines: no value, no key, a broken \\u escape, a key set twice', () => {
    const problem = (text: string) => {
      try {
        parseProperties(text);
      } catch (error) {
        expect(error).toBeInstanceOf(PropertiesSyntaxError);
        return (error as Error).message;
      }
      return 'parsed';
    };
    expect(problem('a=1\nnum.partitions\n')).toBe('line 2: num.partitions has no value; write num.partitions=value');
    expect(problem('=3')).toBe('line 1: an entry needs a key before "="');
    expect(problem(': 3')).toBe('line 1: an entry needs a key before ":"');
    expect(problem('a=\\u00g1')).toBe('line 1: malformed \\u escape "\\\\u00g1": it needs four hex digits');
    expect(problem('a=1\n\na=2')).toBe('line 3: a is set again (first on line 1)');
  });
});

/** Writes a key or value the way Java's Properties.store escapes it. */
function escapeProperty(text: string, isKey: boolean): string {
  let out = '';
  for (const [i, c] of [...text].entries()) {
    if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c === '\f') out += '\\f';
    else if (c === ' ' && (isKey || i === 0)) out += '\\ ';
    else if ('=:#!'.includes(c)) out += `\\${c}`;
    else out += c;
  }
  return out;
}

describe('parseProperties round trip', () => {
  it('storedEntries: whatever keys and values, escaped as Java stores them, read back unchanged', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'Z', '.', ' ', '=', ':', '#', '!', '\\', '\n', '\t', 'é', '1') });
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.tuple(
            text.filter((k) => k !== ''),
            text,
          ),
          { selector: ([k]) => k, maxLength: 8 },
        ),
        (pairs) => {
          const file = pairs.map(([k, v]) => `${escapeProperty(k, true)}=${escapeProperty(v, false)}`).join('\n');
          expect(parseProperties(file).map(({ key, value }) => [key, value])).toEqual(pairs);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('readBrokerConfigFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kstream-config-file-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function file(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  const read = (path: string) => readBrokerConfigFile(path, new LogCapture());

  it('validConfigs are returned as given', async () => {
    const path = await file('good.properties', '# kstream\nnum.partitions=3\nlog.retention.hours: 24\n');
    const logger = new LogCapture();
    expect(readBrokerConfigFile(path, logger)).toEqual({ 'num.partitions': '3', 'log.retention.hours': '24' });
    expect(logger.lines).toEqual([]);
  });

  it('problems name the file and line, the key and what is allowed', async () => {
    const unknown = await file('unknown.properties', 'num.partitions=3\ncolour=blue\n');
    expect(() => read(unknown)).toThrow(ConfigError);
    expect(() => read(unknown)).toThrow(new RegExp(`^--config-file ${unknown} line 2: Unknown broker config name: colour \\(known: auto.create.topics.enable, .*\\)$`));
    const bad = await file('bad.properties', '\n\nnum.partitions=zero\n');
    expect(() => read(bad)).toThrow(`--config-file ${bad} line 3: Invalid value "zero" for configuration num.partitions: must be an int from 1 to 2147483647`);
    const syntax = await file('syntax.properties', 'num.partitions\n');
    expect(() => read(syntax)).toThrow(`--config-file ${syntax} line 1: num.partitions has no value`);
    expect(() => read(join(dir, 'missing.properties'))).toThrow(/cannot read it \(ENOENT\)$/);
  });

  it('misspeltKey is refused naming the nearest known key', async () => {
    const path = await file('misspelt.properties', 'process.roles=broker,controller\nnum.partiton=3\n');
    expect(() => read(path)).toThrow(`--config-file ${path} line 2: Unknown broker config name: num.partiton; did you mean num.partitions?`);
    const transposed = await file('transposed.properties', 'log.retnetion.hours=24\n');
    expect(() => read(transposed)).toThrow(/did you mean log\.retention\.hours\?$/);
  });
});

describe('readBrokerConfigFile of a stock Kafka server.properties', () => {
  const fixtures = ['kafka-4-server.properties', 'kafka-3-kraft-server.properties', 'kafka-3-zookeeper-server.properties'];

  it.each(fixtures)('%s: its kstream settings are kept, and one warning names each Kafka-only key once', (name) => {
    const path = new URL(`./test-fixtures/${name}`, import.meta.url).pathname;
    const entries = parseProperties(readFileSync(path, 'utf8'));
    const logger = new LogCapture();
    const config = readBrokerConfigFile(path, logger);

    expect(config).toEqual(Object.fromEntries(entries.filter((e) => BROKER_CONFIGS.has(e.key)).map((e) => [e.key, e.value])));
    const ignored = entries.filter((e) => !BROKER_CONFIGS.has(e.key)).map((e) => e.key);
    expect(ignored.every((key) => KAFKA_ONLY_CONFIGS.has(key))).toBe(true);
    expect(logger.lines).toHaveLength(1);
    const [warning] = logger.lines;
    expect(warning!.startsWith(`WARN --config-file ${path}: ignoring ${ignored.length} Kafka settings that do not apply to kstream: `)).toBe(true);
    for (const key of ignored)
      expect(
        warning!.split(/[ ,;()]+/).filter((word) => word === key),
        key,
      ).toHaveLength(1);
  });
});
