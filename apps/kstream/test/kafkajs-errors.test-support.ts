// kafkajs reports a broker's error code as a `type` (Kafka's error name),
// sometimes wrapped: an aggregate of per-topic errors, per-group errors
// (deleteGroups), or a non-retriable error whose cause holds the protocol
// error.

interface KafkaJSErrorLike {
  readonly type?: unknown;
  readonly errors?: unknown;
  /** KafkaJSDeleteGroupsError: each failed group with its `error`. */
  readonly groups?: unknown;
  readonly cause?: unknown;
  readonly message?: unknown;
}

/** Every Kafka error name found in a kafkajs error, its aggregates and causes. */
export function kafkaErrorTypes(error: unknown, seen = new Set<unknown>()): string[] {
  if (typeof error !== 'object' || error === null || seen.has(error)) return [];
  seen.add(error);
  const e = error as KafkaJSErrorLike;
  const types = typeof e.type === 'string' ? [e.type] : [];
  if (Array.isArray(e.errors)) for (const inner of e.errors) types.push(...kafkaErrorTypes(inner, seen));
  if (Array.isArray(e.groups)) for (const group of e.groups) types.push(...kafkaErrorTypes((group as { error?: unknown }).error, seen));
  types.push(...kafkaErrorTypes(e.cause, seen));
  return types;
}

/** Resolves with the kafkajs error `action` failed with; fails if it succeeded or failed without Kafka error `type`. */
export async function expectKafkaError(action: Promise<unknown>, type: string): Promise<Error> {
  let error: unknown;
  try {
    await action;
  } catch (caught) {
    error = caught;
  }
  if (error === undefined) throw new Error(`expected the broker to answer ${type}, but the request succeeded`);
  const types = kafkaErrorTypes(error);
  if (!types.includes(type)) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new Error(`expected the broker to answer ${type}, got ${types.length === 0 ? 'no Kafka error' : types.join(', ')} (${message})`);
  }
  return error as Error;
}
