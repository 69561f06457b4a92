// Compiles a list of fields, for one version, into closures that read and
// write it. Every version decision (is the field present, tagged, nullable,
// compact?) is taken here, once; the closures only move bytes.
import type { ByteReader } from '../primitives/byte-reader.js';
import type { ByteWriter } from '../primitives/byte-writer.js';
import { ProtocolDecodeError, ProtocolEncodeError, ProtocolError } from '../primitives/protocol-error.js';
import { scalarCodec } from './codec-scalars.js';
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

type Struct = Record<string, unknown>;

function within(error: unknown, segment: string): unknown {
  return error instanceof ProtocolError ? error.within(segment) : error;
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

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
    const o: Struct = {};
    for (let i = 0; i < names.length; i++) o[names[i]!] = factories[i]!();
    return o;
  };
}

function arrayCodec(element: ValueCodec, flexible: boolean, nullable: boolean, defaultNull: boolean): ValueCodec {
  const readElement = element.read;
  const writeElement = element.write;
  const minElementBytes = Math.max(1, element.minBytes);
  return {
    minBytes: flexible ? 1 : 4,
    read(r) {
      const count = r.arrayLength(flexible, nullable, minElementBytes);
      if (count < 0) return null;
      const out: unknown[] = [];
      let i = 0;
      try {
        for (; i < count; i++) out.push(readElement(r));
      } catch (error) {
        throw within(error, `[${i}]`);
      }
      return out;
    },
    write(w, value) {
      if (value === null && nullable) {
        w.arrayLength(null, flexible);
        return;
      }
      if (!Array.isArray(value)) {
        throw new ProtocolEncodeError(
          value === null ? 'null where an array is required (the field is not nullable in this version)' : `expected an array, got ${describe(value)}`,
        );
      }
      w.arrayLength(value.length, flexible);
      let i = 0;
      try {
        for (; i < value.length; i++) writeElement(w, value[i]);
      } catch (error) {
        throw within(error, `[${i}]`);
      }
    },
    isDefault: defaultNull ? (value) => value === null : (value) => Array.isArray(value) && value.length === 0,
  };
}

function nullableStruct(struct: ValueCodec, defaultNull: boolean): ValueCodec {
  return {
    minBytes: 1,
    // Kafka marks a nullable struct with one byte: -1 for null, 1 before a value.
    read: (r) => (r.int8() < 0 ? null : struct.read(r)),
    write(w, value) {
      if (value === null) {
        w.int8(-1);
        return;
      }
      w.int8(1);
      struct.write(w, value);
    },
    isDefault: defaultNull ? (value) => value === null : struct.isDefault,
  };
}

/** The codec of one field present in `version`. */
function fieldCodec(field: FieldSpec, version: number, flexible: boolean): ValueCodec {
  const nullable = inVersionRange(field.nullableVersions, version);
  const defaultNull = field.default === null;
  if (isScalar(field.type)) {
    const scalar = scalarCodec(field.type, flexible, nullable);
    const fallback = scalarDefault(field, field.type);
    return {
      read: scalar.read,
      write: scalar.write as (w: ByteWriter, value: unknown) => void,
      minBytes: scalar.minBytes,
      isDefault: Buffer.isBuffer(fallback) ? (value) => Buffer.isBuffer(value) && value.length === 0 : (value) => value === fallback,
    };
  }
  if (field.type === 'struct' || field.type === '[]struct') {
    const struct = structCodec(field.fields ?? [], version, flexible);
    if (field.type === '[]struct') return arrayCodec(struct, flexible, nullable, defaultNull);
    return nullable ? nullableStruct(struct, defaultNull) : struct;
  }
  const elementType = field.type.slice(2) as ScalarType;
  const element = scalarCodec(elementType, flexible, false);
  return arrayCodec(
    { ...element, write: element.write as (w: ByteWriter, value: unknown) => void, isDefault: () => false },
    flexible,
    nullable,
    defaultNull,
  );
}

interface TaggedField {
  readonly tag: number;
  readonly name: string;
  readonly codec: ValueCodec;
}

/**
 * A struct (or a whole message body) in one version. Decoding yields every
 * field of the spec in spec order — absent and omitted tagged fields hold
 * their defaults — so all decoded values of a struct share one shape.
 * Encoding treats an undefined field as its default.
 */
export function structCodec(members: readonly FieldSpec[], version: number, flexible: boolean): ValueCodec {
  const present = members.filter((m) => inVersionRange(m.versions, version));
  const isTagged = (m: FieldSpec) => flexible && inVersionRange(m.taggedVersions, version);
  const regular = present.filter((m) => !isTagged(m));
  const tagged: TaggedField[] = present
    .filter(isTagged)
    .map((m) => ({ tag: m.tag!, name: m.name, codec: fieldCodec(m, version, flexible) }))
    .sort((a, b) => a.tag - b.tag);
  const byTag = new Map(tagged.map((t) => [t.tag, t]));

  const names = members.map((m) => m.name);
  const regularCodecs = new Map(regular.map((m) => [m, fieldCodec(m, version, flexible)]));
  // Decoding walks every member in spec order: regular ones read the wire, the others take their default.
  const steps = members.map((m) => regularCodecs.get(m)?.read ?? defaultFactory(m));
  const regularNames = regular.map((m) => m.name);
  const regularWrites = regular.map((m) => regularCodecs.get(m)!.write);
  const writeDefaults = regular.map((m) => defaultFactory(m)());
  const presentCodecs = [...regularCodecs.entries()].map(([m, c]) => ({ name: m.name, isDefault: c.isDefault }));
  for (const t of tagged) presentCodecs.push({ name: t.name, isDefault: t.codec.isDefault });

  function readTagged(r: ByteReader, o: Struct): void {
    const count = r.unsignedVarint();
    for (let k = 0; k < count; k++) {
      const tag = r.unsignedVarint();
      const size = r.unsignedVarint();
      if (size > r.remaining) throw new ProtocolDecodeError(`tagged field ${tag}: size ${size} exceeds the ${r.remaining} bytes left`);
      const field = byTag.get(tag);
      if (field === undefined) {
        r.offset += size;
        continue;
      }
      const end = r.end;
      r.end = r.offset + size;
      try {
        o[field.name] = field.codec.read(r);
        if (r.offset !== r.end) {
          throw new ProtocolDecodeError(`tagged field ${tag} declares ${size} bytes but its value took ${size - (r.end - r.offset)}`);
        }
      } catch (error) {
        throw within(error, field.name);
      } finally {
        r.end = end;
      }
    }
  }

  function writeTagged(w: ByteWriter, o: Struct): void {
    let count = 0;
    for (const t of tagged) {
      const value = o[t.name];
      if (value !== undefined && !t.codec.isDefault(value)) count++;
    }
    w.unsignedVarint(count);
    for (const t of tagged) {
      const value = o[t.name];
      if (value === undefined || t.codec.isDefault(value)) continue;
      try {
        w.unsignedVarint(t.tag);
        const mark = w.beginSizePrefixed();
        t.codec.write(w, value);
        w.endSizePrefixed(mark);
      } catch (error) {
        throw within(error, t.name);
      }
    }
  }

  const memberCount = names.length;
  const regularCount = regularNames.length;
  return {
    minBytes: regular.reduce((sum, m) => sum + regularCodecs.get(m)!.minBytes, flexible ? 1 : 0),
    read(r) {
      const o: Struct = {};
      let i = 0;
      try {
        for (; i < memberCount; i++) o[names[i]!] = steps[i]!(r);
      } catch (error) {
        throw within(error, names[i]!);
      }
      if (flexible) readTagged(r, o);
      return o;
    },
    write(w, value) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new ProtocolEncodeError(
          value === null ? 'null where a struct is required (the field is not nullable in this version)' : `expected a struct, got ${describe(value)}`,
        );
      }
      const o = value as Struct;
      let i = 0;
      try {
        for (; i < regularCount; i++) {
          const field = o[regularNames[i]!];
          regularWrites[i]!(w, field === undefined ? writeDefaults[i] : field);
        }
      } catch (error) {
        throw within(error, regularNames[i]!);
      }
      if (flexible) writeTagged(w, o);
    },
    isDefault(value) {
      if (value === null || typeof value !== 'object') return false;
      const o = value as Struct;
      for (const member of presentCodecs) {
        const field = o[member.name];
        if (field !== undefined && !member.isDefault(field)) return false;
      }
      return true;
    },
  };
}
