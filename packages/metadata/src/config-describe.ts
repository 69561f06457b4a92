// A resource's effective configs, each with where its value comes from, as
// Kafka's DescribeConfigs reports them. A topic key's value is the topic's
// own, else its broker synonyms' in order (each looked up in this broker's
// dynamic configs, the cluster-wide dynamic ones, the static ones, then the
// broker default), else the topic key's own default.
import { BROKER_CONFIGS } from './broker-configs.js';
import type { BrokerConfigProps } from './broker-configs.js';
import { ConfigSource } from './config-definition.js';
import type { ConfigDef, ConfigType } from './config-definition.js';
import type { MetadataState } from './metadata-state.js';
import { TOPIC_CONFIGS } from './topic-configs.js';

export interface ConfigSynonymValue {
  readonly name: string;
  readonly value: string | null;
  readonly source: ConfigSource;
}

export interface DescribedConfig {
  readonly name: string;
  /** Null for a sensitive key, or a key without a value anywhere. */
  readonly value: string | null;
  readonly source: ConfigSource;
  readonly readOnly: boolean;
  readonly isSensitive: boolean;
  readonly type: ConfigType;
  readonly documentation: string;
  /** Every place the value could come from that has one, the one in effect first. */
  readonly synonyms: readonly ConfigSynonymValue[];
}

/** The broker-level configs in force for one broker, most specific first. */
export interface BrokerConfigLayers {
  /** This broker's own dynamic configs (ConfigRecords named by its id); empty for the cluster-wide resource. */
  readonly dynamicBroker: ReadonlyMap<string, string>;
  /** The cluster-wide dynamic configs (ConfigRecords with resourceName ''). */
  readonly dynamicDefault: ReadonlyMap<string, string>;
  /** The node's static broker config, from its start options. */
  readonly static: BrokerConfigProps;
}

/** The layers for `brokerId` (or, without one, the cluster-wide default resource) from metadata and the static config. */
export function brokerConfigLayers(state: MetadataState, staticConfig: BrokerConfigProps, brokerId?: number): BrokerConfigLayers {
  return {
    dynamicBroker: brokerId === undefined ? new Map() : state.configs('broker', String(brokerId)),
    dynamicDefault: state.configs('broker', ''),
    static: staticConfig,
  };
}

/** Every broker config with its value and source, in name order. */
export function describeBrokerConfigs(layers: BrokerConfigLayers): DescribedConfig[] {
  return [...BROKER_CONFIGS.values()].sort((a, b) => a.name.localeCompare(b.name)).map((definition) => described(definition, brokerSynonyms(definition, layers), (v) => v));
}

/** Every topic config of a topic with `topicConfigs` set, with its value and source, in name order. */
export function describeTopicConfigs(topicConfigs: ReadonlyMap<string, string>, layers: BrokerConfigLayers): DescribedConfig[] {
  return [...TOPIC_CONFIGS.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((definition) => {
      const synonyms: ConfigSynonymValue[] = [];
      const own = topicConfigs.get(definition.name);
      if (own !== undefined) synonyms.push({ name: definition.name, value: own, source: ConfigSource.TOPIC_CONFIG });
      const converters = new Map<string, (value: string) => string>();
      for (const synonym of definition.synonyms) {
        const brokerDefinition = BROKER_CONFIGS.get(synonym.name);
        if (brokerDefinition === undefined) continue;
        if (synonym.toTopicValue) converters.set(synonym.name, synonym.toTopicValue);
        synonyms.push(...brokerSynonyms(brokerDefinition, layers));
      }
      if (synonyms.length === 0) {
        synonyms.push({ name: definition.name, value: definition.defaultValue, source: ConfigSource.DEFAULT_CONFIG });
      }
      return described(definition, synonyms, (value, from) => converters.get(from)?.(value) ?? value);
    });
}

/** A topic's effective config values by key: what its log and its limits run with. */
export function effectiveTopicConfigs(topicConfigs: ReadonlyMap<string, string>, layers: BrokerConfigLayers): Record<string, string> {
  const values: Record<string, string> = {};
  for (const config of describeTopicConfigs(topicConfigs, layers)) {
    if (config.value !== null) values[config.name] = config.value;
  }
  return values;
}

/** A broker key's values in every layer that has one, most specific first, ending with its default if it has one. */
function brokerSynonyms(definition: ConfigDef<unknown>, layers: BrokerConfigLayers): ConfigSynonymValue[] {
  const { name } = definition;
  const synonyms: ConfigSynonymValue[] = [];
  const add = (value: string | null | undefined, source: ConfigSource) => {
    if (value !== undefined && value !== null) synonyms.push({ name, value, source });
  };
  add(layers.dynamicBroker.get(name), ConfigSource.DYNAMIC_BROKER_CONFIG);
  add(layers.dynamicDefault.get(name), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
  add(Object.hasOwn(layers.static, name) ? layers.static[name] : undefined, ConfigSource.STATIC_BROKER_CONFIG);
  add(definition.defaultValue, ConfigSource.DEFAULT_CONFIG);
  return synonyms;
}

function described(definition: ConfigDef<unknown>, synonyms: ConfigSynonymValue[], convert: (value: string, from: string) => string): DescribedConfig {
  const inEffect = synonyms[0];
  const value = inEffect?.value == null ? null : convert(inEffect.value, inEffect.name);
  const hide = definition.sensitive;
  return {
    name: definition.name,
    value: hide ? null : value,
    source: inEffect?.source ?? ConfigSource.DEFAULT_CONFIG,
    readOnly: definition.readOnly,
    isSensitive: definition.sensitive,
    type: definition.type,
    documentation: definition.documentation,
    synonyms: hide ? synonyms.map((s) => ({ ...s, value: null })) : synonyms,
  };
}
