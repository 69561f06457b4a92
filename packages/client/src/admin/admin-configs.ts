// describeConfigs and alterConfigs (IncrementalAlterConfigs). A broker's own
// configs are asked of that broker, as Kafka's AdminClient does (its static
// configs are only known there); topics and the cluster-wide broker defaults
// go to any broker.
import { DescribeConfigs, IncrementalAlterConfigs } from '@kstream/protocol';
import type { RequestOf, ResponseOf } from '@kstream/protocol';
import type { BrokerConnection } from '../connection/index.js';
import { KafkaConfigError, protocolError } from '../errors/index.js';
import { runBatch } from './admin-batch.js';
import type { ItemOutcome } from './admin-batch.js';
import { startCall } from './admin-call.js';
import type { AdminCall, AdminContext } from './admin-call.js';
import { configSourceOf, configTypeOf, resourceName, resourceTypeCode } from './admin-config-types.js';
import type { ConfigEntry, ConfigResource } from './admin-config-types.js';
import type { AdminCallOptions } from './admin-options.js';
import { finalUnknownTopic } from './admin-retry-policy.js';
import { sendPerBroker } from './admin-routing.js';

export interface DescribeConfigsOptions extends AdminCallOptions {
  /** Each entry's synonyms (where else its value could come from); Kafka's default: false. */
  includeSynonyms?: boolean;
  /** Each entry's type and documentation (DescribeConfigs v3+); default false. */
  includeDocumentation?: boolean;
}

export interface ConfigResourceQuery extends ConfigResource {
  /** Only these keys (unknown ones are left out); every key when absent. */
  readonly configNames?: readonly string[];
}

export interface ResourceConfigs {
  readonly resource: ConfigResource;
  readonly configs: readonly ConfigEntry[];
}

/**
 * One change of IncrementalAlterConfigs: `set` a value, `delete` the
 * resource's own value (back to its default), `append` / `subtract` items of
 * a list config such as cleanup.policy.
 */
export type ConfigOperation = { readonly name: string; readonly op: 'set' | 'append' | 'subtract'; readonly value: string } | { readonly name: string; readonly op: 'delete' };

export interface ConfigAlteration {
  readonly resource: ConfigResource;
  readonly operations: readonly ConfigOperation[];
}

export interface AlterConfigsOptions extends AdminCallOptions {
  /** Every check, no change. */
  validateOnly?: boolean;
}

/** Kafka's AlterConfigOp.OpType codes. */
const OPERATION_CODES = { set: 0, delete: 1, append: 2, subtract: 3 } as const;

type DescribedConfig = ResponseOf<typeof DescribeConfigs>['results'][number]['configs'][number];

/** One entry as DescribeConfigs or CreateTopics v5+ answers it (v0 has isDefault instead of a source). */
export function configEntryOf(config: Partial<DescribedConfig> & Pick<DescribedConfig, 'name' | 'value' | 'readOnly' | 'isSensitive'>): ConfigEntry {
  const sourceCode = config.configSource ?? -1;
  const source = sourceCode >= 0 ? configSourceOf(sourceCode) : config.isDefault ? 'DEFAULT_CONFIG' : 'UNKNOWN';
  return {
    name: config.name,
    value: config.value,
    source,
    isDefault: source === 'DEFAULT_CONFIG',
    readOnly: config.readOnly,
    sensitive: config.isSensitive,
    synonyms: (config.synonyms ?? []).map((s) => ({ name: s.name, value: s.value, source: configSourceOf(s.source) })),
    type: configTypeOf(config.configType ?? 0),
    documentation: config.documentation ?? null,
  };
}

export function describeConfigs(context: AdminContext, resources: readonly ConfigResourceQuery[], options: DescribeConfigsOptions = {}): Promise<ResourceConfigs[]> {
  const call = startCall(context, 'DescribeConfigs', options);
  return runBatch<ConfigResourceQuery, ResourceConfigs>(call, {
    items: resources,
    itemName: resourceName,
    retryItem: finalUnknownTopic,
    attempt: (pending) =>
      sendPerBroker(
        pending,
        (resource) => configTarget(context, resource),
        async (broker, items) => {
          const body: RequestOf<typeof DescribeConfigs> = {
            resources: items.map((r) => ({
              resourceType: resourceTypeCode(r.type),
              resourceName: r.name,
              configurationKeys: r.configNames === undefined ? null : [...r.configNames],
            })),
            includeSynonyms: options.includeSynonyms ?? false,
            includeDocumentation: options.includeDocumentation ?? false,
          };
          const response = await broker.request(DescribeConfigs, body);
          return items.map((resource) => describedOutcome(call, broker, resource, response));
        },
      ),
  });
}

function describedOutcome(
  call: AdminCall,
  broker: BrokerConnection,
  resource: ConfigResource,
  response: ResponseOf<typeof DescribeConfigs>,
): ItemOutcome<ResourceConfigs> | undefined {
  const result = response.results.find((r) => r.resourceType === resourceTypeCode(resource.type) && r.resourceName === resource.name);
  if (result === undefined) return undefined;
  if (result.errorCode !== 0) return { error: resourceError(call, broker, resource, result.errorCode, result.errorMessage) };
  return { value: { resource: { type: resource.type, name: resource.name }, configs: result.configs.map(configEntryOf) } };
}

/** Applies each resource's operations; each resource succeeds or fails whole. */
export async function alterConfigs(context: AdminContext, alterations: readonly ConfigAlteration[], options: AlterConfigsOptions = {}): Promise<void> {
  for (const { operations } of alterations) checkOperations(operations);
  const call = startCall(context, 'IncrementalAlterConfigs', options);
  await runBatch<ConfigAlteration, void>(call, {
    items: alterations,
    itemName: (a) => resourceName(a.resource),
    retryItem: finalUnknownTopic,
    attempt: (pending) =>
      sendPerBroker(
        pending,
        (a) => configTarget(context, a.resource),
        async (broker, items) => {
          const body: RequestOf<typeof IncrementalAlterConfigs> = {
            resources: items.map(({ resource, operations }) => ({
              resourceType: resourceTypeCode(resource.type),
              resourceName: resource.name,
              configs: operations.map((o) => ({ name: o.name, configOperation: OPERATION_CODES[o.op], value: o.op === 'delete' ? null : o.value })),
            })),
            validateOnly: options.validateOnly ?? false,
          };
          const response = await broker.request(IncrementalAlterConfigs, body);
          return items.map(({ resource }): ItemOutcome<void> | undefined => {
            const answer = response.responses.find((r) => r.resourceType === resourceTypeCode(resource.type) && r.resourceName === resource.name);
            if (answer === undefined) return undefined;
            if (answer.errorCode !== 0) return { error: resourceError(call, broker, resource, answer.errorCode, answer.errorMessage) };
            return { value: undefined };
          });
        },
      ),
  });
}

function checkOperations(operations: readonly ConfigOperation[]): void {
  for (const operation of operations) {
    if (!(operation.op in OPERATION_CODES)) throw new KafkaConfigError('op', operation.op, '"set", "delete", "append", "subtract"');
    if (operation.op !== 'delete' && typeof operation.value !== 'string') {
      throw new KafkaConfigError(`value of ${operation.name}`, operation.value, `a string (${operation.op} needs a value)`);
    }
  }
}

/** A broker's own configs from that broker; everything else from any. */
function configTarget(context: AdminContext, resource: ConfigResource): Promise<BrokerConnection> {
  const ownBroker = (resource.type === 'broker' || resource.type === 'brokerLogger') && /^\d+$/.test(resource.name);
  return ownBroker ? context.cluster.broker(Number(resource.name)) : context.cluster.anyBroker();
}

function resourceError(call: AdminCall, broker: BrokerConnection, resource: ConfigResource, code: number, serverMessage: string | null) {
  return protocolError(code, {
    api: call.api,
    broker: broker.label,
    serverMessage,
    ...(resource.type === 'topic' ? { topic: resource.name } : {}),
  });
}
