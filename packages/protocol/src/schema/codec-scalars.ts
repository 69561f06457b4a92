import type { ScalarType } from './schema-types.js';

/** Which ByteReader / ByteWriter methods carry one scalar type in one encoding (classic or compact, nullable or not). */
export interface ScalarEncoding {
  /** The method name, the same on ByteReader and ByteWriter. */
  readonly method: string;
  /** The fewest bytes an encoding can take: bounds array counts before decoding. */
  readonly minBytes: number;
}

const FIXED: Record<Exclude<ScalarType, 'string' | 'bytes' | 'records'>, ScalarEncoding> = {
  bool: { method: 'bool', minBytes: 1 },
  int8: { method: 'int8', minBytes: 1 },
  int16: { method: 'int16', minBytes: 2 },
  uint16: { method: 'uint16', minBytes: 2 },
  int32: { method: 'int32', minBytes: 4 },
  uint32: { method: 'uint32', minBytes: 4 },
  int64: { method: 'int64', minBytes: 8 },
  float64: { method: 'float64', minBytes: 8 },
  uuid: { method: 'uuid', minBytes: 16 },
};

/** The encoding of `type` in a version that is (or is not) flexible, where the field is (or is not) nullable. */
export function scalarEncoding(type: ScalarType, flexible: boolean, nullable: boolean): ScalarEncoding {
  if (type === 'string' || type === 'bytes' || type === 'records') {
    const base = type === 'string' ? 'String' : 'Bytes';
    const method = `${flexible ? 'compact' : ''}${nullable ? 'Nullable' : ''}${base}`;
    return {
      method: method[0]!.toLowerCase() + method.slice(1),
      minBytes: flexible ? 1 : type === 'string' ? 2 : 4,
    };
  }
  return FIXED[type];
}
