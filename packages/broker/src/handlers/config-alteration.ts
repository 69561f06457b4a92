// What AlterConfigs and IncrementalAlterConfigs share: resources kstream has
// configs for go to the controller in one message, the others are answered
// here, and the results come back in request order.
import { boundsProblem, checkConfigValueSize } from '@kstream/metadata';
import type { AlterConfigsRequest, ConfigResourceType, IncrementalAlterConfigsRequest } from '@kstream/metadata';
import { ErrorCode } from '@kstream/protocol';
import { configResourceType, unsupportedResourceType } from './config-resource-type.js';
import { askController, isAdminFailure } from './controller-admin.js';
import type { BrokerServices } from './handler.js';

/** A resource as the config APIs carry it. */
export interface WireConfigResource {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly configs: readonly { readonly name: string; readonly value: string | null }[];
}

/** A resource the controller will be asked about, with its part of the request. */
export interface ForwardedResource<R> {
  readonly resourceType: ConfigResourceType;
  readonly resourceName: string;
  readonly request: R;
}

export interface ConfigResourceResponse {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

/**
 * Answers every resource: those of an unsupported type, or that `problem`
 * finds malformed, with INVALID_REQUEST; those with a value longer than
 * config.value.max.bytes with INVALID_CONFIG (such a value never crosses to
 * the controller); the rest with the controller's result for the message
 * `toMessage` builds from them.
 */
export async function alterEachResource<R extends WireConfigResource>(
  broker: BrokerServices,
  resources: readonly R[],
  toMessage: (forwarded: ForwardedResource<R>[]) => AlterConfigsRequest | IncrementalAlterConfigsRequest,
  problem: (resource: R) => string | undefined = () => undefined,
): Promise<ConfigResourceResponse[]> {
  const responses: (ConfigResourceResponse | undefined)[] = [];
  const forwarded: ForwardedResource<R>[] = [];
  const forwardedAt: number[] = [];
  resources.forEach((resource, i) => {
    const { resourceType: code, resourceName } = resource;
    const resourceType = configResourceType(code);
    const why = resourceType === undefined ? unsupportedResourceType(code) : problem(resource);
    if (why !== undefined || resourceType === undefined) {
      responses[i] = { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: why ?? null, resourceType: code, resourceName };
      return;
    }
    const tooLong = boundsProblem(() => {
      for (const { name, value } of resource.configs) if (value !== null) checkConfigValueSize(name, value, broker.config);
    });
    if (tooLong !== undefined) {
      responses[i] = { ...tooLong, resourceType: code, resourceName };
      return;
    }
    forwarded.push({ resourceType, resourceName, request: resource });
    forwardedAt.push(i);
  });
  if (forwarded.length > 0) {
    const reply = await askController(broker, toMessage(forwarded), 0);
    forwardedAt.forEach((at, j) => {
      const { resourceType, resourceName } = resources[at]!;
      const result = isAdminFailure(reply) ? reply : reply.resources[j]!;
      responses[at] = { errorCode: result.errorCode, errorMessage: result.errorMessage, resourceType, resourceName };
    });
  }
  return responses as ConfigResourceResponse[];
}
