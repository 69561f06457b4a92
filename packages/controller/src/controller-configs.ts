// The controller's decisions on AlterConfigs and IncrementalAlterConfigs for
// topic and broker resources: each resource's new set of dynamic configs is
// checked whole, and only the keys whose value changes become ConfigRecords.
import { ErrorCode } from '@kstream/protocol';
import { AdminError, adminFailure } from './admin-context.js';
import type { AdminContext, AdminDecision } from './admin-context.js';
import { checkConfigValueSize, ConfigType, LoopTurns, resolveBrokerConfig, splitList } from '@kstream/metadata';
import type {
  AlterableConfig,
  AlterConfigsRequest,
  ConfigEntry,
  ConfigRecord,
  ConfigResource,
  ConfigResourceResult,
  IncrementalAlterConfigsRequest,
  MetadataState,
  RequestLimits,
} from '@kstream/metadata';
import { checkConfigValue, dynamicConfigDef } from './config-validation.js';

export function alterConfigs(context: AdminContext, request: AlterConfigsRequest): Promise<AdminDecision<ConfigResourceResult[]>> {
  return alterEach(context, request.resources, request.validateOnly, (resource) => {
    const next = new Map<string, string>();
    for (const { name, value } of uniqueKeys(resource.configs)) {
      dynamicConfigDef(resource.resourceType, name);
      // A null value leaves the key out of the new set: back to its default.
      if (value !== null) next.set(name, value);
    }
    return next;
  });
}

export function incrementalAlterConfigs(context: AdminContext, request: IncrementalAlterConfigsRequest): Promise<AdminDecision<ConfigResourceResult[]>> {
  return alterEach(context, request.resources, request.validateOnly, (resource, current) => {
    const next = new Map(current);
    for (const config of uniqueKeys(resource.configs)) applyOperation(resource, next, config);
    return next;
  });
}

function applyOperation(resource: ConfigResource, configs: Map<string, string>, config: AlterableConfig): void {
  const { name, operation, value } = config;
  const definition = dynamicConfigDef(resource.resourceType, name);
  switch (operation) {
    case 'SET':
      if (value === null) throw new AdminError(ErrorCode.INVALID_REQUEST, `SET of config ${name} has a null value; use DELETE to remove it.`);
      configs.set(name, value);
      return;
    case 'DELETE':
      configs.delete(name);
      return;
    case 'APPEND':
    case 'SUBTRACT': {
      if (definition.type !== ConfigType.LIST) {
        throw new AdminError(
          ErrorCode.INVALID_CONFIG,
          `Config value ${operation === 'APPEND' ? 'append' : 'subtract'} is not allowed for config key: ${name} ` +
            '(only list configs such as cleanup.policy take APPEND and SUBTRACT).',
        );
      }
      // As in Kafka, the list operated on is the set value, else the key's default.
      const items = splitList(configs.get(name) ?? definition.defaultValue ?? '');
      const given = splitList(value ?? '');
      const result = operation === 'APPEND' ? [...items, ...given.filter((item) => !items.includes(item))] : items.filter((item) => !given.includes(item));
      configs.set(name, result.join(','));
      return;
    }
    default: {
      const unknown: never = operation;
      throw new AdminError(ErrorCode.INVALID_REQUEST, `Unknown config operation ${JSON.stringify(unknown)} for config ${name}.`);
    }
  }
}

/**
 * Runs `change` on every resource: it returns the resource's whole new set of
 * dynamic configs, which is checked and turned into records for the keys
 * whose value differs from the current one. Async only to share the event
 * loop: a request may list a hundred thousand resources, decided in turns
 * (loop-turns.ts) against a state nothing else changes meanwhile.
 */
async function alterEach<R extends ConfigResource & { readonly configs: readonly (ConfigEntry | AlterableConfig)[] }>(
  context: AdminContext,
  resources: readonly R[],
  validateOnly: boolean,
  change: (resource: R, current: ReadonlyMap<string, string>) => ReadonlyMap<string, string>,
): Promise<AdminDecision<ConfigResourceResult[]>> {
  const { state } = context;
  const limits: RequestLimits = resolveBrokerConfig(state.configs('broker', ''), context.staticConfig);
  // A Set, not indexOf per resource: a request may list many resources.
  const listed = new Set<string>();
  const repeated = new Set<string>();
  for (const { resourceType, resourceName } of resources) {
    const key = `${resourceType}:${resourceName}`;
    (listed.has(key) ? repeated : listed).add(key);
  }
  const turns = new LoopTurns();
  const records: ConfigRecord[] = [];
  const results: ConfigResourceResult[] = [];
  for (const resource of resources) {
    if (turns.due) await turns.next();
    const { resourceType, resourceName } = resource;
    try {
      if (repeated.has(`${resourceType}:${resourceName}`)) {
        throw new AdminError(ErrorCode.INVALID_REQUEST, `The ${resourceType} resource ${JSON.stringify(resourceName)} is listed more than once in the request.`);
      }
      checkResource(state, resource);
      // Before any value is split or parsed.
      for (const { name, value } of resource.configs) if (value !== null) checkConfigValueSize(name, value, limits);
      const current = state.configs(resourceType, resourceName);
      const next = change(resource, current);
      for (const [name, value] of next) if (current.get(name) !== value) checkConfigValue(resourceType, name, value);
      for (const name of current.keys()) {
        if (!next.has(name)) records.push({ type: 'Config', resourceType, resourceName, name, value: null });
      }
      for (const [name, value] of next) {
        if (current.get(name) !== value) records.push({ type: 'Config', resourceType, resourceName, name, value });
      }
      results.push({ resourceType, resourceName, errorCode: ErrorCode.NONE, errorMessage: null });
    } catch (error) {
      results.push({ resourceType, resourceName, ...adminFailure(error) });
    }
  }
  return { records: validateOnly ? [] : records, results };
}

function checkResource(state: MetadataState, { resourceType, resourceName }: ConfigResource): void {
  if (resourceType === 'topic') {
    if (state.topicByName(resourceName) === undefined) {
      throw new AdminError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${resourceName} does not exist.`);
    }
  } else if (resourceName !== '' && !/^\d{1,9}$/.test(resourceName)) {
    throw new AdminError(ErrorCode.INVALID_REQUEST, `Broker resource name ${JSON.stringify(resourceName)} is neither a broker id nor '' (the cluster-wide default).`);
  }
}

function uniqueKeys<C extends ConfigEntry | AlterableConfig>(configs: readonly C[]): readonly C[] {
  const seen = new Set<string>();
  for (const { name } of configs) {
    if (seen.has(name)) throw new AdminError(ErrorCode.INVALID_REQUEST, `Config ${name} is given more than once for the same resource.`);
    seen.add(name);
  }
  return configs;
}
