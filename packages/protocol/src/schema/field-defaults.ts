import type { FieldSpec, ScalarType } from './schema-types.js';

/** Kafka's Uuid.ZERO_UUID, the default of every uuid field. */
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

const EMPTY_BUFFER = Buffer.alloc(0);

/**
 * The value of a scalar field when it is absent from a version or omitted
 * from a tagged section: the spec's `default`, else Kafka's zero for the type.
 * int64 defaults are normalised to bigint and numeric ones to number, so a
 * schema may write `default: -1` for an int64. Buffers are shared: decoded
 * bytes are read-only views.
 */
export function scalarDefault(field: FieldSpec, type: ScalarType): unknown {
  const given = field.default;
  if (given === null) return null;
  switch (type) {
    case 'bool':
      return given === undefined ? false : given === true || given === 'true';
    case 'int64':
      return given === undefined ? 0n : BigInt(given as number | bigint | string);
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'float64':
      return given === undefined ? 0 : Number(given);
    case 'string':
      return given === undefined ? '' : String(given);
    case 'uuid':
      return given === undefined ? ZERO_UUID : String(given);
    case 'bytes':
    case 'records':
      return EMPTY_BUFFER;
  }
}
