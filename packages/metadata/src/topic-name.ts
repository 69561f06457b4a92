// Kafka's topic name rules (org.apache.kafka.common.internals.Topic).

export const MAX_TOPIC_NAME_LENGTH = 249;

/** Kafka's Topic.GROUP_METADATA_TOPIC_NAME: the group coordinators' log. */
export const GROUP_METADATA_TOPIC = '__consumer_offsets';

/** Kafka's Topic.TRANSACTION_STATE_TOPIC_NAME: the transaction coordinators' log. */
export const TRANSACTION_STATE_TOPIC = '__transaction_state';

/**
 * Kafka's internal topics: the coordinators' logs. Clients see them in
 * Metadata (isInternal) but never write them; only the coordinators append
 * to them, and the cluster creates them on first use (Kafka's Topic.isInternal).
 */
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set([GROUP_METADATA_TOPIC, TRANSACTION_STATE_TOPIC]);

/** Why `name` cannot be a topic name, or undefined when it can. */
export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return "Topic name is illegal, it can't be empty";
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`;
  }
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return undefined;
}

/**
 * Kafka's metric names turn '.' into '_', so two topics whose names differ
 * only there would share metrics: such names collide.
 */
export function collisionKey(name: string): string {
  return name.replaceAll('.', '_');
}

export function hasCollisionChars(name: string): boolean {
  return name.includes('.') || name.includes('_');
}
