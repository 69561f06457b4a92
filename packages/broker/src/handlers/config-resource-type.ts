import type { ConfigResourceType } from '@kstream/metadata';

// Kafka's ConfigResource.Type codes, as the config APIs carry them.
const TOPIC = 2;
const BROKER = 4;

/** The config resource a wire code names, or undefined for a type kstream has no configs of (BROKER_LOGGER, GROUP, ...). */
export function configResourceType(code: number): ConfigResourceType | undefined {
  return code === TOPIC ? 'topic' : code === BROKER ? 'broker' : undefined;
}

/** A message for a resource type kstream does not serve, naming the code and the supported ones. */
export function unsupportedResourceType(code: number): string {
  return `Config resource type ${code} is not supported; kstream serves TOPIC (${TOPIC}) and BROKER (${BROKER}) resources`;
}
