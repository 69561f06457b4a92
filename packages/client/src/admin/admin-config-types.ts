// Config resources and entries as DescribeConfigs, IncrementalAlterConfigs
// and CreateTopics (v5+) carry them, with Kafka's names for the codes.

/** Kafka's ConfigResource.Type, by its wire code. */
const RESOURCE_TYPES = { topic: 2, broker: 4, brokerLogger: 8, clientMetrics: 16, group: 32 } as const;
export type ConfigResourceType = keyof typeof RESOURCE_TYPES;

/**
 * A topic by name; a broker by its id as a string ("1"), or '' for the
 * cluster-wide broker defaults.
 */
export interface ConfigResource {
  readonly type: ConfigResourceType;
  readonly name: string;
}

/** Kafka's DescribeConfigsResponse.ConfigSource, by wire code. */
const CONFIG_SOURCES = [
  'UNKNOWN',
  'TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
  'CLIENT_METRICS_CONFIG',
  'GROUP_CONFIG',
] as const;
export type ConfigSource = (typeof CONFIG_SOURCES)[number];

/** Kafka's ConfigDef.Type as DescribeConfigs v3+ reports it. */
const CONFIG_TYPES = ['UNKNOWN', 'BOOLEAN', 'STRING', 'INT', 'SHORT', 'LONG', 'DOUBLE', 'LIST', 'CLASS', 'PASSWORD'] as const;
export type ConfigType = (typeof CONFIG_TYPES)[number];

/** Where a value would come from if the entry's own source were removed, most specific first. */
export interface ConfigSynonym {
  readonly name: string;
  readonly value: string | null;
  readonly source: ConfigSource;
}

export interface ConfigEntry {
  readonly name: string;
  /** null when sensitive, or unset with no default. */
  readonly value: string | null;
  readonly source: ConfigSource;
  readonly isDefault: boolean;
  readonly readOnly: boolean;
  readonly sensitive: boolean;
  /** Only when asked for (includeSynonyms) and the broker speaks DescribeConfigs v1+; else []. */
  readonly synonyms: readonly ConfigSynonym[];
  /** 'UNKNOWN' unless asked for with includeDocumentation (DescribeConfigs v3+). */
  readonly type: ConfigType;
  readonly documentation: string | null;
}

export function resourceTypeCode(type: ConfigResourceType): number {
  return RESOURCE_TYPES[type];
}

export function configSourceOf(code: number): ConfigSource {
  return CONFIG_SOURCES[code] ?? 'UNKNOWN';
}

export function configTypeOf(code: number): ConfigType {
  return CONFIG_TYPES[code] ?? 'UNKNOWN';
}

/** "topic orders", "broker 1", "broker defaults": how errors name a resource. */
export function resourceName(resource: ConfigResource): string {
  if (resource.type === 'broker' && resource.name === '') return 'broker defaults';
  return `${resource.type} ${resource.name}`;
}
