// TypeScript types of decoded messages, inferred from a schema's literal
// field tuple: `RequestOf<typeof Produce>` has every field of every version
// (a field absent from a version decodes to its default), so one type serves
// all versions. A field nullable in any version admits null.
import type { ApiSpec, FieldSpec, ScalarType } from './schema-types.js';

/** The TypeScript type a scalar decodes to. */
export type ScalarValue<T extends ScalarType> = T extends 'bool'
  ? boolean
  : T extends 'int64'
    ? bigint
    : T extends 'string' | 'uuid'
      ? string
      : T extends 'bytes' | 'records'
        ? Buffer
        : number;

type BaseValue<T, Members> = T extends 'struct'
  ? MessageOf<Members>
  : T extends '[]struct'
    ? MessageOf<Members>[]
    : T extends `[]${infer S extends ScalarType}`
      ? ScalarValue<S>[]
      : T extends ScalarType
        ? ScalarValue<T>
        : unknown;

/** The value of one field: its type, or null too when the field is nullable in some version. */
export type FieldValue<F extends FieldSpec> = BaseValue<F['type'], F['fields']> | (F['nullableVersions'] extends string ? null : never);

/** A struct or message body with every field of `Fields`; a schema typed only as FieldSpec[] gives a plain record. */
export type MessageOf<Fields> = Fields extends readonly FieldSpec[]
  ? number extends Fields['length']
    ? Record<string, unknown>
    : { -readonly [F in Fields[number] as F['name']]: FieldValue<F> }
  : Record<string, unknown>;

export type RequestOf<A extends ApiSpec> = MessageOf<A['request']>;
export type ResponseOf<A extends ApiSpec> = MessageOf<A['response']>;
