// DescribeConfigs v0–4
// - Answered by this broker from its metadata cache and the config
//   definitions: every key with its effective value, source, read-only and
//   sensitive flags (a sensitive value is null); configurationKeys narrows
//   the list (unknown keys are left out, as in Kafka).
// - TOPIC resources: the topic's own configs, else its broker synonyms'
//   (retention.ms ← log.retention.ms ← log.retention.hours, ...), else the
//   default. An invalid name is INVALID_TOPIC_EXCEPTION, an unknown topic
//   UNKNOWN_TOPIC_OR_PARTITION.
// - BROKER resources: a broker id shows that broker's configs (its dynamic
//   ones, the cluster-wide dynamic ones, the node's static ones, defaults —
//   every broker holds all of these, so any broker answers for any
//   registered one); '' shows the cluster-wide dynamic configs alone. An id
//   of no registered broker is INVALID_REQUEST.
// - Other resource types are INVALID_REQUEST; the rest of the request is
//   still answered.
// - A resource listed more than once is INVALID_REQUEST at each place (as
//   AlterConfigs answers it), so the response grows with the distinct
//   resources, not with a request repeating one ten thousand times.
// - Synonyms (v1+) only when includeSynonyms; documentation (v3+) only when
//   includeDocumentation; v0's isDefault is a DEFAULT_CONFIG source.
import { ConfigSource, describeBrokerConfigs, describeTopicConfigs, topicNameProblem } from '@kstream/metadata';
import type { DescribedConfig } from '@kstream/metadata';
import { DescribeConfigs, ErrorCode } from '@kstream/protocol';
import type { RequestOf, ResponseOf } from '@kstream/protocol';
import type { BrokerMetadata } from '../metadata/broker-metadata.js';
import { configResourceType, unsupportedResourceType } from './config-resource-type.js';
import type { ApiHandler } from './handler.js';

type DescribeConfigsResult = ResponseOf<typeof DescribeConfigs>['results'][number];
type DescribeConfigsResource = RequestOf<typeof DescribeConfigs>['resources'][number];

export const describeConfigsHandler: ApiHandler<typeof DescribeConfigs> = {
  api: DescribeConfigs,
  async handle(request, { apiVersion, broker }) {
    const includeSynonyms = apiVersion >= 1 && request.includeSynonyms;
    const includeDocumentation = apiVersion >= 3 && request.includeDocumentation;
    const repeated = repeatedResources(request.resources);
    const results = request.resources.map((resource): DescribeConfigsResult => {
      const { resourceType, resourceName, configurationKeys } = resource;
      const answer = repeated.has(resourceKey(resource))
        ? { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Resource ${JSON.stringify(resourceName)} of type ${resourceType} is listed more than once.` }
        : describe(broker.metadata, resource);
      if (!Array.isArray(answer)) return { ...answer, resourceType, resourceName, configs: [] };
      const wanted = configurationKeys === null ? undefined : new Set(configurationKeys);
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        resourceType,
        resourceName,
        configs: answer
          .filter((c) => wanted === undefined || wanted.has(c.name))
          .map((c) => ({
            name: c.name,
            value: c.value,
            readOnly: c.readOnly,
            isDefault: c.source === ConfigSource.DEFAULT_CONFIG,
            configSource: c.source,
            isSensitive: c.isSensitive,
            synonyms: includeSynonyms ? c.synonyms.map((s) => ({ name: s.name, value: s.value, source: s.source })) : [],
            configType: c.type,
            documentation: includeDocumentation ? c.documentation : null,
          })),
      };
    });
    return { throttleTimeMs: 0, results };
  },
};

function resourceKey({ resourceType, resourceName }: DescribeConfigsResource): string {
  return `${resourceType}:${resourceName}`;
}

function repeatedResources(resources: readonly DescribeConfigsResource[]): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const resource of resources) {
    const key = resourceKey(resource);
    (seen.has(key) ? repeated : seen).add(key);
  }
  return repeated;
}

interface ResourceError {
  readonly errorCode: number;
  readonly errorMessage: string;
}

/** The resource's described configs, or why it cannot be described. */
function describe(metadata: BrokerMetadata, { resourceType, resourceName }: DescribeConfigsResource): DescribedConfig[] | ResourceError {
  switch (configResourceType(resourceType)) {
    case 'topic': {
      const problem = topicNameProblem(resourceName);
      if (problem !== undefined) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: problem };
      if (metadata.topicByName(resourceName) === undefined) {
        return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${resourceName} does not exist.` };
      }
      return describeTopicConfigs(metadata.state.configs('topic', resourceName), metadata.brokerConfigLayers(metadata.brokerId));
    }
    case 'broker': {
      if (resourceName === '') {
        return describeBrokerConfigs(metadata.brokerConfigLayers()).filter((c) => c.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
      }
      const brokerId = /^\d{1,9}$/.test(resourceName) ? Number(resourceName) : undefined;
      if (brokerId === undefined || metadata.state.broker(brokerId) === undefined) {
        return {
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: `Broker resource ${JSON.stringify(resourceName)} names no registered broker; use a broker id, or '' for the cluster-wide default.`,
        };
      }
      return describeBrokerConfigs(metadata.brokerConfigLayers(brokerId));
    }
    default:
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: unsupportedResourceType(resourceType) };
  }
}
