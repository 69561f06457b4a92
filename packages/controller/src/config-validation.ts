import { ErrorCode } from '@kstream/protocol';
import { AdminError } from './admin-context.js';
import { BROKER_CONFIGS, InvalidConfigValueError, TOPIC_CONFIGS, UnknownConfigError } from '@kstream/metadata';
import type { ConfigDef, ConfigResourceType } from '@kstream/metadata';

/**
 * The definition of a key that a resource of `resourceType` may have set at
 * run time. Unknown keys, and broker keys that are read-only (fixed at start),
 * are refused with INVALID_CONFIG.
 */
export function dynamicConfigDef(resourceType: ConfigResourceType, key: string): ConfigDef<unknown> {
  const definitions = resourceType === 'topic' ? TOPIC_CONFIGS : BROKER_CONFIGS;
  const definition = definitions.get(key);
  if (definition === undefined) {
    throw new AdminError(ErrorCode.INVALID_CONFIG, new UnknownConfigError(key, resourceType, definitions.keys()).message);
  }
  if (definition.readOnly) {
    throw new AdminError(ErrorCode.INVALID_CONFIG, `Cannot update these configs dynamically: ${key} (read-only; set it when the node starts, with --config ${key}=...)`);
  }
  return definition;
}

/** Checks a value a resource's key would be set to; INVALID_CONFIG names the key, the value and what is allowed. */
export function checkConfigValue(resourceType: ConfigResourceType, key: string, value: string): void {
  const definition = dynamicConfigDef(resourceType, key);
  try {
    definition.parse(value);
  } catch (error) {
    if (error instanceof InvalidConfigValueError) throw new AdminError(ErrorCode.INVALID_CONFIG, error.message);
    throw error;
  }
}
