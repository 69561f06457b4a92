// The project's own schema language for Kafka APIs: one definition per API
// spanning all its versions, each field marked with the versions it exists in
// (the same information as Kafka's message JSON, written as TypeScript).
// The codec in this folder derives encode and decode for any version from it.

/**
 * A version range, written as Kafka writes it: "0+" (0 and later), "3-7"
 * (inclusive), "5" (only 5) or "none".
 */
export type VersionRange = string;

/** Scalar wire types. int64 decodes to bigint; uuid to its 8-4-4-4-12 hex string; bytes and records to Buffer. */
export type ScalarType = 'bool' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64' | 'string' | 'bytes' | 'uuid' | 'records';

export type FieldType = ScalarType | `[]${ScalarType}` | 'struct' | '[]struct';

export interface FieldSpec {
  /** camelCase of Kafka's field name ("PartitionIndex" → "partitionIndex"). */
  readonly name: string;
  readonly type: FieldType;
  readonly versions: VersionRange;
  readonly nullableVersions?: VersionRange;
  /** Present only for tagged fields, with their tag. */
  readonly taggedVersions?: VersionRange;
  readonly tag?: number;
  /** Kafka's default where it is not the type's zero (e.g. -1, true, null). */
  readonly default?: number | bigint | boolean | string | null;
  /** Members of a 'struct' or '[]struct'. */
  readonly fields?: readonly FieldSpec[] | undefined;
}

export interface MessageSpec {
  readonly fields: readonly FieldSpec[];
}

export interface ApiSpec {
  readonly apiKey: number;
  /** Kafka's API name, e.g. "Produce". */
  readonly name: string;
  /** The versions kstream supports (floor to current maximum). */
  readonly validVersions: VersionRange;
  /** The versions that use compact encodings, tagged fields and the newer headers. */
  readonly flexibleVersions: VersionRange;
  readonly request: readonly FieldSpec[];
  readonly response: readonly FieldSpec[];
}

interface FieldOptions {
  nullable?: VersionRange;
  tagged?: { versions: VersionRange; tag: number };
  default?: FieldSpec['default'];
}

/**
 * A field whose name, type, members and nullability are kept as literal
 * types, so message types can be inferred from a schema (see message-types.ts).
 */
export type TypedField<N extends string, T extends FieldType, F extends readonly FieldSpec[] | undefined = undefined, Nullable extends boolean = false> = FieldSpec & {
  readonly name: N;
  readonly type: T;
  readonly fields: F;
  readonly nullableVersions: Nullable extends true ? VersionRange : undefined;
};

/** Whether a field's options make it nullable in some version. */
type NullableIn<O> = O extends { readonly nullable: string } ? true : false;

function makeField<N extends string, T extends FieldType, F extends readonly FieldSpec[] | undefined, Nullable extends boolean>(
  name: N,
  type: T,
  versions: VersionRange,
  options: FieldOptions = {},
  fields?: F,
): TypedField<N, T, F, Nullable> {
  return {
    name,
    type,
    versions,
    ...(options.nullable !== undefined && { nullableVersions: options.nullable }),
    ...(options.tagged !== undefined && { taggedVersions: options.tagged.versions, tag: options.tagged.tag }),
    ...(options.default !== undefined && { default: options.default }),
    fields: fields as F,
  } as TypedField<N, T, F, Nullable>;
}

const scalar =
  <T extends ScalarType>(type: T) =>
  <N extends string, const O extends FieldOptions = {}>(name: N, versions: VersionRange, options?: O) =>
    makeField<N, T, undefined, NullableIn<O>>(name, type, versions, options);

/**
 * Field builders, so that a schema reads like Kafka's JSON:
 * `f.int32('partitionIndex', '0+')`,
 * `f.string('groupInstanceId', '5+', { nullable: '5+', default: null })`,
 * `f.structs('topics', '0+', [ ...members ])` for an array of structs,
 * `f.array('partitions', '0+', 'int32')` for an array of scalars.
 * Names, types and nullability stay literal, so a message's TypeScript type follows from its schema.
 */
export const f = {
  bool: scalar('bool'),
  int8: scalar('int8'),
  int16: scalar('int16'),
  uint16: scalar('uint16'),
  int32: scalar('int32'),
  uint32: scalar('uint32'),
  int64: scalar('int64'),
  float64: scalar('float64'),
  string: scalar('string'),
  bytes: scalar('bytes'),
  uuid: scalar('uuid'),
  records: scalar('records'),
  array: <N extends string, T extends ScalarType, const O extends FieldOptions = {}>(name: N, versions: VersionRange, of: T, options?: O) =>
    makeField<N, `[]${T}`, undefined, NullableIn<O>>(name, `[]${of}` as `[]${T}`, versions, options),
  struct: <N extends string, const F extends readonly FieldSpec[], const O extends FieldOptions = {}>(name: N, versions: VersionRange, fields: F, options?: O) =>
    makeField<N, 'struct', F, NullableIn<O>>(name, 'struct', versions, options, fields),
  structs: <N extends string, const F extends readonly FieldSpec[], const O extends FieldOptions = {}>(name: N, versions: VersionRange, fields: F, options?: O) =>
    makeField<N, '[]struct', F, NullableIn<O>>(name, '[]struct', versions, options, fields),
};

/** Declares an API; `const` keeps the field tuple literal for type inference. */
export function defineApi<const Req extends readonly FieldSpec[], const Res extends readonly FieldSpec[]>(
  spec: ApiSpec & { readonly request: Req; readonly response: Res },
): ApiSpec & { readonly request: Req; readonly response: Res } {
  return spec;
}
