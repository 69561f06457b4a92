// kafkajs's describeConfigs and alterConfigs on the client's Admin.
import type { Admin as ClientAdmin, ConfigEntry, ConfigOperation, ConfigResource } from '../admin/index.js';
import { ConfigResourceTypes, ConfigSource } from './constants.js';
import { KafkaJSNonRetriableError } from './errors.js';
import type { DescribeConfigResponse, IResourceConfig, ResourceConfigQuery } from './types-admin.js';

const RESOURCE_NAMES = new Map<ConfigResourceTypes, ConfigResource['type']>([
  [ConfigResourceTypes.TOPIC, 'topic'],
  [ConfigResourceTypes.BROKER, 'broker'],
  [ConfigResourceTypes.BROKER_LOGGER, 'brokerLogger'],
]);

function resourceOf(type: ConfigResourceTypes, name: string): ConfigResource {
  const named = RESOURCE_NAMES.get(type);
  if (named === undefined) throw new KafkaJSNonRetriableError(`Invalid ResourceType ${type}; allowed: ConfigResourceTypes.TOPIC, BROKER or BROKER_LOGGER`);
  return { type: named, name };
}

function sourceOf(source: string): ConfigSource {
  return ConfigSource[source as keyof typeof ConfigSource] ?? ConfigSource.UNKNOWN;
}

export async function describeConfigs(
  admin: ClientAdmin,
  { resources, includeSynonyms }: { resources: ResourceConfigQuery[]; includeSynonyms: boolean },
): Promise<DescribeConfigResponse> {
  const described = await admin.describeConfigs(
    resources.map(({ type, name, configNames }) => ({ ...resourceOf(type, name), ...(configNames === undefined ? {} : { configNames }) })),
    { includeSynonyms },
  );
  return {
    throttleTime: 0,
    resources: described.map(({ configs }, i) => ({
      errorCode: 0,
      // kafkajs's type says string; what it hands over for a resource without error is Kafka's null.
      errorMessage: null as unknown as string,
      resourceName: resources[i]!.name,
      resourceType: resources[i]!.type,
      configEntries: configs.map((entry) => ({
        configName: entry.name,
        configValue: entry.value as string,
        isDefault: entry.isDefault,
        configSource: sourceOf(entry.source),
        isSensitive: entry.sensitive,
        readOnly: entry.readOnly,
        configSynonyms: entry.synonyms.map((s) => ({ configName: s.name, configValue: s.value as string, configSource: sourceOf(s.source) })),
      })),
    })),
  };
}

// A value set on the resource itself (not a default or a static broker
// setting): what kafkajs's whole-resource AlterConfigs replaces.
function isSetOnResource(entry: ConfigEntry): boolean {
  return entry.source === 'TOPIC_CONFIG' || entry.source === 'DYNAMIC_BROKER_CONFIG' || entry.source === 'DYNAMIC_BROKER_LOGGER_CONFIG';
}

/**
 * kafkajs sends AlterConfigs, which replaces every value set on the
 * resource: keys not listed go back to their defaults. The client alters
 * incrementally, so the same outcome is the listed keys set and the
 * resource's other set keys deleted.
 */
export async function alterConfigs(
  admin: ClientAdmin,
  { validateOnly, resources }: { validateOnly: boolean; resources: IResourceConfig[] },
): Promise<{ resources: { errorCode: number; errorMessage: string; resourceName: string; resourceType: ConfigResourceTypes }[]; throttleTime: number }> {
  const targets = resources.map(({ type, name }) => resourceOf(type, name));
  const current = await admin.describeConfigs(targets);
  await admin.alterConfigs(
    resources.map(({ configEntries }, i) => {
      const listed = new Set(configEntries.map((e) => e.name));
      const operations: ConfigOperation[] = configEntries.map(({ name, value }) => ({ name, op: 'set', value }));
      for (const entry of current[i]!.configs) if (isSetOnResource(entry) && !listed.has(entry.name)) operations.push({ name: entry.name, op: 'delete' });
      return { resource: targets[i]!, operations };
    }),
    { validateOnly },
  );
  return { throttleTime: 0, resources: resources.map(({ type, name }) => ({ errorCode: 0, errorMessage: '', resourceName: name, resourceType: type })) };
}
