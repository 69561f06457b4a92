// AlterConfigs v0–2
// - Legacy semantics: each resource's dynamic configs become exactly the
//   given set; keys left out (or given null) go back to their defaults.
// - TOPIC and BROKER resources (a broker id, or '' for the cluster-wide
//   default) are forwarded to the controller, which checks every key (unknown
//   or read-only keys and bad values are INVALID_CONFIG naming the key, the
//   value and what is allowed; an unknown topic is
//   UNKNOWN_TOPIC_OR_PARTITION). Other resource types are INVALID_REQUEST.
//   Each resource succeeds or fails whole; the others still apply.
// - validateOnly runs every check and changes nothing.
// - The reply waits until this broker's metadata shows the change.
import { AlterConfigs } from '@kstream/protocol';
import { alterEachResource } from './config-alteration.js';
import type { ApiHandler } from './handler.js';

export const alterConfigsHandler: ApiHandler<typeof AlterConfigs> = {
  api: AlterConfigs,
  async handle(request, { broker }) {
    const responses = await alterEachResource(broker, request.resources, (resources) => ({
      type: 'AlterConfigs',
      resources: resources.map(({ resourceType, resourceName, request: r }) => ({
        resourceType,
        resourceName,
        configs: r.configs.map(({ name, value }) => ({ name, value })),
      })),
      validateOnly: request.validateOnly,
    }));
    return { throttleTimeMs: 0, responses };
  },
};
