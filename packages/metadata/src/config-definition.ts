// How a config key is described: Kafka's types, defaults, validators,
// documentation, sensitivity and dynamic-update flag. topic-configs.ts and
// broker-configs.ts define the keys with these factories.

/** Kafka's DescribeConfigs ConfigType (v3+). */
export const ConfigType = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const;
export type ConfigType = (typeof ConfigType)[keyof typeof ConfigType];

/** Kafka's DescribeConfigs ConfigSource (v1+): where a config's value came from. */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;
export type ConfigSource = (typeof ConfigSource)[keyof typeof ConfigSource];

/** Java's Long.MAX_VALUE as Kafka prints it: the "never" of flush and compaction lag keys. */
export const LONG_MAX_TEXT = '9223372036854775807';
const INT_MAX = 2147483647;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** A config value that its definition refuses; the message names the key, the value and what is allowed. */
export class InvalidConfigValueError extends Error {
  override readonly name = 'InvalidConfigValueError';

  constructor(
    readonly key: string,
    readonly value: string,
    readonly allowed: string,
  ) {
    super(`Invalid value ${JSON.stringify(value)} for configuration ${key}: must be ${allowed}`);
  }
}

/** One config key. `T` is the parsed value's type. */
export interface ConfigDef<T> {
  readonly name: string;
  readonly type: ConfigType;
  /** The default as DescribeConfigs shows it; null where Kafka has none (a synonym supplies the value). */
  readonly defaultValue: string | null;
  /** What a valid value looks like, for error messages: "a long from -1 to 9223372036854775807". */
  readonly allowed: string;
  readonly documentation: string;
  /** Sensitive values are never shown (DescribeConfigs returns null). */
  readonly sensitive: boolean;
  /** Read-only keys cannot be changed at run time (AlterConfigs refuses them). */
  readonly readOnly: boolean;
  /** Parses and validates a value; throws InvalidConfigValueError. */
  parse(text: string): T;
}

interface DefOptions {
  readonly doc: string;
  readonly readOnly?: boolean;
}

function def<T>(name: string, type: ConfigType, defaultValue: string | null, allowed: string, options: DefOptions, parse: (text: string) => T | undefined): ConfigDef<T> {
  const config: ConfigDef<T> = {
    name,
    type,
    defaultValue,
    allowed,
    documentation: options.doc,
    sensitive: false,
    readOnly: options.readOnly ?? false,
    parse(text) {
      const value = parse(text);
      if (value === undefined) throw new InvalidConfigValueError(name, text, allowed);
      return value;
    },
  };
  if (defaultValue !== null) config.parse(defaultValue);
  return Object.freeze(config);
}

function wholeNumber(text: string, min: bigint, max: bigint): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return undefined;
  const n = BigInt(trimmed);
  return n >= min && n <= max ? Number(n) : undefined;
}

function rangeText(kind: string, min: bigint, max: bigint): string {
  return `${kind} from ${min} to ${max}`;
}

interface IntOptions<D extends string | null> extends DefOptions {
  readonly default: D;
  readonly min?: number;
  readonly max?: number;
}

type Nullable<D, T> = D extends null ? T | null : T;

/** A 32-bit integer key (Kafka's INT), optionally bounded. */
export function intConfig<D extends string | null>(name: string, options: IntOptions<D>): ConfigDef<Nullable<D, number>> {
  const min = BigInt(options.min ?? -INT_MAX - 1);
  const max = BigInt(options.max ?? INT_MAX);
  return def(name, ConfigType.INT, options.default, rangeText('an int', min, max), options, (t) => wholeNumber(t, min, max));
}

/** A 64-bit integer key (Kafka's LONG). Parsed to a double, as the log's settings are: 2^63-1 reads as 2^63. */
export function longConfig<D extends string | null>(name: string, options: IntOptions<D>): ConfigDef<Nullable<D, number>> {
  const min = options.min === undefined ? LONG_MIN : BigInt(options.min);
  const max = options.max === undefined ? LONG_MAX : BigInt(options.max);
  return def(name, ConfigType.LONG, options.default, rangeText('a long', min, max), options, (t) => wholeNumber(t, min, max));
}

interface DoubleOptions extends DefOptions {
  readonly default: string;
  readonly min: number;
  readonly max: number;
}

/** A floating-point key (Kafka's DOUBLE) within [min, max]. */
export function doubleConfig(name: string, options: DoubleOptions): ConfigDef<number> {
  const { min, max } = options;
  return def(name, ConfigType.DOUBLE, options.default, `a number from ${min} to ${max}`, options, (text) => {
    const n = text.trim() === '' ? NaN : Number(text);
    return n >= min && n <= max ? n : undefined;
  });
}

interface BooleanOptions extends DefOptions {
  readonly default: 'true' | 'false';
}

/** A boolean key: "true" or "false", in any case, as Kafka reads them. */
export function booleanConfig(name: string, options: BooleanOptions): ConfigDef<boolean> {
  return def(name, ConfigType.BOOLEAN, options.default, 'true or false', options, (text) => {
    const lower = text.trim().toLowerCase();
    return lower === 'true' ? true : lower === 'false' ? false : undefined;
  });
}

interface ChoiceOptions<V extends string> extends DefOptions {
  readonly default: V;
  readonly values: readonly V[];
}

/** A string key that takes one of a fixed set of values (Kafka's ValidString.in). */
export function choiceConfig<V extends string>(name: string, options: ChoiceOptions<V>): ConfigDef<V> {
  const { values } = options;
  return def(name, ConfigType.STRING, options.default, `one of ${values.join(', ')}`, options, (text) => ((values as readonly string[]).includes(text) ? (text as V) : undefined));
}

/** A comma-separated list key whose items each come from a fixed set (Kafka's ValidList.in). */
export function listConfig<V extends string>(name: string, options: ChoiceOptions<V>): ConfigDef<V[]> {
  const { values } = options;
  const allowed = `a comma-separated list of ${values.join(', ')}`;
  return def(name, ConfigType.LIST, options.default, allowed, options, (text) => {
    const items = splitList(text);
    return items.every((item) => (values as readonly string[]).includes(item)) ? (items as V[]) : undefined;
  });
}

/** A list config's items, as Kafka splits them: on commas, trimmed, empty items dropped. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** The parsed value type of a definition. */
export type ConfigValue<D> = D extends ConfigDef<infer T> ? T : never;
