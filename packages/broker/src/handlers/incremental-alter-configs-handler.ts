// IncrementalAlterConfigs v0–1
// - Changes single keys of each resource's dynamic configs: SET (0) a value,
//   DELETE (1) back to the default, APPEND (2) / SUBTRACT (3) items of a
//   list config (cleanup.policy), starting from its current value or default.
// - TOPIC and BROKER resources (a broker id, or '' for the cluster-wide
//   default) are forwarded to the controller, which checks every key
//   (unknown or read-only keys, bad values, APPEND to a non-list key are
//   INVALID_CONFIG naming the key; SET with no value is INVALID_REQUEST; an
//   unknown topic is UNKNOWN_TOPIC_OR_PARTITION). Other resource types and
//   operation codes are INVALID_REQUEST. Each resource succeeds or fails
//   whole; the others still apply.
// - validateOnly runs every check and changes nothing.
// - The reply waits until this broker's metadata shows the change.
import { CONFIG_OPERATIONS } from '@kstream/metadata';
import { IncrementalAlterConfigs } from '@kstream/protocol';
import { alterEachResource } from './config-alteration.js';
import type { ApiHandler } from './handler.js';

export const incrementalAlterConfigsHandler: ApiHandler<typeof IncrementalAlterConfigs> = {
  api: IncrementalAlterConfigs,
  async handle(request, { broker }) {
    const responses = await alterEachResource(
      broker,
      request.resources,
      (resources) => ({
        type: 'IncrementalAlterConfigs',
        resources: resources.map(({ resourceType, resourceName, request: r }) => ({
          resourceType,
          resourceName,
          configs: r.configs.map(({ name, configOperation, value }) => ({ name, operation: CONFIG_OPERATIONS[configOperation]!, value })),
        })),
        validateOnly: request.validateOnly,
      }),
      (resource) => {
        const unknown = resource.configs.find((c) => CONFIG_OPERATIONS[c.configOperation] === undefined);
        return unknown === undefined
          ? undefined
          : `Unknown config operation ${unknown.configOperation} for config ${unknown.name}; the operations are 0 SET, 1 DELETE, 2 APPEND and 3 SUBTRACT`;
      },
    );
    return { throttleTimeMs: 0, responses };
  },
};
