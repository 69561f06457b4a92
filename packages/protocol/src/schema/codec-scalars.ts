import type { ByteReader } from '../primitives/byte-reader.js';
import type { ByteWriter } from '../primitives/byte-writer.js';
import type { ScalarType } from './schema-types.js';

/** How one scalar type is read and written in one encoding (classic or compact, nullable or not). */
export interface ScalarCodec {
  readonly read: (r: ByteReader) => unknown;
  readonly write: (w: ByteWriter, value: never) => void;
  /** The fewest bytes an encoding can take: bounds array counts before decoding. */
  readonly minBytes: number;
}

function codec<T>(minBytes: number, read: (r: ByteReader) => T, write: (w: ByteWriter, value: T) => void): ScalarCodec {
  return { read, write: write as (w: ByteWriter, value: never) => void, minBytes };
}

// One shared object per encoding, so every compiled message calls the same closures.
const FIXED = {
  bool: codec(1, (r) => r.bool(), (w, v: boolean) => w.bool(v)),
  int8: codec(1, (r) => r.int8(), (w, v: number) => w.int8(v)),
  int16: codec(2, (r) => r.int16(), (w, v: number) => w.int16(v)),
  uint16: codec(2, (r) => r.uint16(), (w, v: number) => w.uint16(v)),
  int32: codec(4, (r) => r.int32(), (w, v: number) => w.int32(v)),
  uint32: codec(4, (r) => r.uint32(), (w, v: number) => w.uint32(v)),
  int64: codec(8, (r) => r.int64(), (w, v: bigint) => w.int64(v)),
  float64: codec(8, (r) => r.float64(), (w, v: number) => w.float64(v)),
  uuid: codec(16, (r) => r.uuid(), (w, v: string) => w.uuid(v)),
} as const;

const STRING = codec(2, (r) => r.string(), (w, v: string) => w.string(v));
const NULLABLE_STRING = codec(2, (r) => r.nullableString(), (w, v: string | null) => w.nullableString(v));
const COMPACT_STRING = codec(1, (r) => r.compactString(), (w, v: string) => w.compactString(v));
const COMPACT_NULLABLE_STRING = codec(1, (r) => r.compactNullableString(), (w, v: string | null) => w.compactNullableString(v));
const BYTES = codec(4, (r) => r.bytes(), (w, v: Buffer) => w.bytes(v));
const NULLABLE_BYTES = codec(4, (r) => r.nullableBytes(), (w, v: Buffer | null) => w.nullableBytes(v));
const COMPACT_BYTES = codec(1, (r) => r.compactBytes(), (w, v: Buffer) => w.compactBytes(v));
const COMPACT_NULLABLE_BYTES = codec(1, (r) => r.compactNullableBytes(), (w, v: Buffer | null) => w.compactNullableBytes(v));

/** The codec for `type` in a version that is (or is not) flexible, where the field is (or is not) nullable. */
export function scalarCodec(type: ScalarType, flexible: boolean, nullable: boolean): ScalarCodec {
  switch (type) {
    case 'string':
      if (flexible) return nullable ? COMPACT_NULLABLE_STRING : COMPACT_STRING;
      return nullable ? NULLABLE_STRING : STRING;
    case 'bytes':
    case 'records':
      if (flexible) return nullable ? COMPACT_NULLABLE_BYTES : COMPACT_BYTES;
      return nullable ? NULLABLE_BYTES : BYTES;
    default:
      return FIXED[type];
  }
}
