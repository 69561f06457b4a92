// Compiles a list of fields, for one version, into a decoder and an encoder.
// Every version decision (is the field present, tagged, nullable, compact?)
// is taken here, once. The result is generated code, one function per struct
// and per array field: a closure shared by every struct would see every
// message's shape at the same call and property sites and run megamorphic,
// while a function of its own builds each struct as one object literal whose
// shape V8 learns once. Generated source only ever holds method names,
// JSON-quoted field names and references to constants, never schema text.
import type { ByteReader } from '../primitives/byte-reader.js';
import type { ByteWriter } from '../primitives/byte-writer.js';
import { ProtocolEncodeError, ProtocolError } from '../primitives/protocol-error.js';
import { scalarEncoding } from './codec-scalars.js';
import { scalarDefault } from './field-defaults.js';
import type { FieldSpec, ScalarType } from './schema-types.js';
import { inVersionRange } from './versions.js';

/** How one field's value is read, written and defaulted in one version. */
export interface ValueCodec {
  readonly read: (r: ByteReader) => unknown;
  readonly write: (w: ByteWriter, value: unknown) => void;
  /** The fewest bytes an encoding can take: bounds array counts before decoding. */
  readonly minBytes: number;
  /** Whether a tagged field holding this value may be left out (Kafka writes a tagged field only when it differs from its default). */
  readonly isDefault: (value: unknown) => boolean;
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/** What generated code calls on its error paths. */
const RUNTIME = {
  within: (error: unknown, segment: string) => (error instanceof ProtocolError ? error.within(segment) : error),
  notStruct: (value: unknown) =>
    new ProtocolEncodeError(value === null ? 'null where a struct is required (the field is not nullable in this version)' : `expected a struct, got ${describe(value)}`),
  notArray: (value: unknown) => new ProtocolEncodeError(`expected an array, got ${describe(value)}`),
  nullArray: () => new ProtocolEncodeError('null where an array is required (the field is not nullable in this version)'),
  tagSize: (r: ByteReader, tag: number, size: number) => r.error(`tagged field ${tag}: size ${size} exceeds the ${r.end - r.offset} bytes left`),
  tagOverrun: (r: ByteReader, tag: number, size: number) => r.error(`tagged field ${tag} declares ${size} bytes but its value took ${size - (r.end - r.offset)}`),
};

const isNull = (value: unknown) => value === null;
const isEmptyArray = (value: unknown) => Array.isArray(value) && value.length === 0;

function isScalar(type: string): type is ScalarType {
  return type !== 'struct' && type !== '[]struct' && !type.startsWith('[]');
}

/** A fresh default value for a field, independent of version: decoded messages are the caller's to mutate. */
export function defaultFactory(field: FieldSpec): () => unknown {
  if (isScalar(field.type)) {
    const value = scalarDefault(field, field.type);
    return () => value;
  }
  if (field.default === null) return () => null;
  if (field.type !== 'struct') return () => [];
  const members = field.fields ?? [];
  const names = members.map((m) => m.name);
  const factories = members.map(defaultFactory);
  return () => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) o[names[i]!] = factories[i]!();
    return o;
  };
}

/** The values generated code refers to, each bound to a constant `kN` of the generated factory. */
class Constants {
  private readonly values: unknown[] = [];

  ref(value: unknown): string {
    this.values.push(value);
    return `k${this.values.length - 1}`;
  }

  compile<T>(body: string): T {
    const bindings = this.values.map((_, i) => `const k${i} = K[${i}];`).join('\n');
    return new Function('K', `'use strict';\n${bindings}\n${body}`)(this.values) as T;
  }
}

function defaultExpression(field: FieldSpec, c: Constants): string {
  if (isScalar(field.type)) return c.ref(scalarDefault(field, field.type));
  if (field.default === null) return 'null';
  if (field.type === 'struct') return `${c.ref(defaultFactory(field))}()`;
  return '[]';
}

/** One present field as source: an expression that reads it from `r`, a statement that writes an expression to `w`, and the functions they call. */
interface FieldSource {
  readonly read: string;
  readonly write: (value: string) => string;
  readonly functions: readonly string[];
  readonly minBytes: number;
  readonly isDefault: (value: unknown) => boolean;
}

function fieldSource(field: FieldSpec, version: number, flexible: boolean, c: Constants, id: number): FieldSource {
  const nullable = inVersionRange(field.nullableVersions, version);
  const defaultNull = field.default === null;
  if (isScalar(field.type)) {
    const { method, minBytes } = scalarEncoding(field.type, flexible, nullable);
    const fallback = scalarDefault(field, field.type);
    return {
      read: `r.${method}()`,
      write: (v) => `w.${method}(${v});`,
      functions: [],
      minBytes,
      isDefault: Buffer.isBuffer(fallback) ? (v) => Buffer.isBuffer(v) && v.length === 0 : (v) => v === fallback,
    };
  }
  let element: { read: string; write: (v: string) => string; minBytes: number };
  if (field.type === 'struct' || field.type === '[]struct') {
    const struct = structCodec(field.fields ?? [], version, flexible);
    const read = c.ref(struct.read);
    const write = c.ref(struct.write);
    element = { read: `${read}(r)`, write: (v) => `${write}(w, ${v});`, minBytes: struct.minBytes };
    if (field.type === 'struct') {
      const isDefault = defaultNull ? isNull : struct.isDefault;
      if (!nullable) return { ...element, functions: [], isDefault };
      // Kafka marks a nullable struct with one byte: -1 for null, 1 before a value.
      return {
        read: `(r.int8() < 0 ? null : ${read}(r))`,
        write: (v) => `if (${v} === null) w.int8(-1); else { w.int8(1); ${write}(w, ${v}); }`,
        functions: [],
        minBytes: 1,
        isDefault,
      };
    }
  } else {
    const { method, minBytes } = scalarEncoding(field.type.slice(2) as ScalarType, flexible, false);
    element = { read: `r.${method}()`, write: (v) => `w.${method}(${v});`, minBytes };
  }
  const rt = c.ref(RUNTIME);
  return {
    read: `readArray${id}(r)`,
    write: (v) => `writeArray${id}(w, ${v});`,
    functions: [
      `function readArray${id}(r) {
        const n = r.arrayLength(${flexible}, ${nullable}, ${Math.max(1, element.minBytes)});
        if (n < 0) return null;
        const d = r.depth++;
        r.pathNames[d] = null;
        const out = [];
        for (let i = 0; i < n; i++) {
          r.pathAt[d] = i;
          out.push(${element.read});
        }
        r.depth = d;
        return out;
      }`,
      `function writeArray${id}(w, v) {
        if (v === null) { ${nullable ? `w.arrayLength(null, ${flexible}); return;` : `throw ${rt}.nullArray();`} }
        if (!Array.isArray(v)) throw ${rt}.notArray(v);
        w.arrayLength(v.length, ${flexible});
        let i = 0;
        try {
          for (; i < v.length; i++) { ${element.write('v[i]')} }
        } catch (e) {
          throw ${rt}.within(e, '[' + i + ']');
        }
      }`,
    ],
    minBytes: flexible ? 1 : 4,
    isDefault: defaultNull ? isNull : isEmptyArray,
  };
}

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** Schemas are code, but what reaches generated source is still checked: a camelCase name, an integer tag. */
function checkGeneratable(field: FieldSpec): void {
  if (!FIELD_NAME.test(field.name)) throw new Error(`field name ${JSON.stringify(field.name)} is not a camelCase identifier`);
  if (field.taggedVersions !== undefined && !(Number.isInteger(field.tag) && field.tag! >= 0)) {
    throw new Error(`tagged field ${field.name} needs a non-negative integer tag, has ${String(field.tag)}`);
  }
}

/**
 * A struct (or a whole message body) in one version. Decoding yields every
 * field of the spec in spec order — absent and omitted tagged fields hold
 * their defaults — so all decoded values of a struct share one shape.
 * Encoding treats an undefined field as its default. Decoding records its
 * position in the reader's path trail (see ByteReader.path) instead of
 * catching at every level, so a failure is one throw of a complete error.
 */
export function structCodec(members: readonly FieldSpec[], version: number, flexible: boolean): ValueCodec {
  const c = new Constants();
  const rt = c.ref(RUNTIME);
  const names = c.ref(members.map((m) => m.name));
  const functions: string[] = [];
  const entries: string[] = [];
  const writes: string[] = [];
  const tagged: { index: number; tag: number; key: string; source: FieldSource; isDefault: string }[] = [];
  const presentDefaults: { name: string; isDefault: (value: unknown) => boolean }[] = [];
  let minBytes = flexible ? 1 : 0;

  members.forEach((m, i) => {
    checkGeneratable(m);
    const key = JSON.stringify(m.name);
    if (!inVersionRange(m.versions, version)) {
      entries.push(`${key}: ${defaultExpression(m, c)}`);
      return;
    }
    const source = fieldSource(m, version, flexible, c, i);
    functions.push(...source.functions);
    presentDefaults.push({ name: m.name, isDefault: source.isDefault });
    if (flexible && inVersionRange(m.taggedVersions, version)) {
      tagged.push({ index: i, tag: m.tag!, key, source, isDefault: c.ref(source.isDefault) });
      entries.push(`${key}: ${defaultExpression(m, c)}`);
      return;
    }
    minBytes += source.minBytes;
    entries.push(`${key}: (r.pathAt[d] = ${i}, ${source.read})`);
    writes.push(`f = ${i}; v = o[${key}]; if (v === undefined) v = ${c.ref(defaultFactory(m)())}; ${source.write('v')}`);
  });
  tagged.sort((a, b) => a.tag - b.tag);

  const readTagged = `function readTagged(r, o, d) {
    r.pathAt[d] = -1;
    const count = r.unsignedVarint();
    for (let k = 0; k < count; k++) {
      const tag = r.unsignedVarint();
      const size = r.unsignedVarint();
      if (size > r.end - r.offset) throw ${rt}.tagSize(r, tag, size);
      const end = r.end;
      r.end = r.offset + size;
      switch (tag) {
        ${tagged.map((t) => `case ${t.tag}: r.pathAt[d] = ${t.index}; o[${t.key}] = ${t.source.read}; break;`).join('\n')}
        default: r.offset = r.end;
      }
      if (r.offset !== r.end) throw ${rt}.tagOverrun(r, tag, size);
      r.end = end;
    }
  }`;
  const writeTagged = [
    'let c = 0;',
    ...tagged.map((t) => `v = o[${t.key}]; if (v !== undefined && !${t.isDefault}(v)) c++;`),
    'w.unsignedVarint(c);',
    ...tagged.map(
      (t) => `v = o[${t.key}];
      if (v !== undefined && !${t.isDefault}(v)) {
        f = ${t.index};
        w.unsignedVarint(${t.tag});
        const m${t.index} = w.beginSizePrefixed();
        ${t.source.write('v')}
        w.endSizePrefixed(m${t.index});
      }`,
    ),
  ];

  const { read, write } = c.compile<Pick<ValueCodec, 'read' | 'write'>>(`
    ${functions.join('\n')}
    ${flexible ? readTagged : ''}
    function read(r) {
      const d = r.depth++;
      r.pathNames[d] = ${names};
      const o = {
        ${entries.join(',\n')}
      };
      ${flexible ? 'readTagged(r, o, d);' : ''}
      r.depth = d;
      return o;
    }
    function write(w, o) {
      if (o === null || typeof o !== 'object' || Array.isArray(o)) throw ${rt}.notStruct(o);
      let f = -1;
      let v;
      try {
        ${writes.join('\n')}
        ${flexible ? writeTagged.join('\n') : ''}
      } catch (e) {
        throw f < 0 ? e : ${rt}.within(e, ${names}[f]);
      }
    }
    return { read, write };
  `);

  return {
    read,
    write,
    minBytes,
    isDefault(value) {
      if (value === null || typeof value !== 'object') return false;
      const o = value as Record<string, unknown>;
      for (const member of presentDefaults) {
        const field = o[member.name];
        if (field !== undefined && !member.isDefault(field)) return false;
      }
      return true;
    },
  };
}
