// The APIs whose requests name topic-partitions and whose responses carry an
// error code per partition: where an injected error fault with a topic (or
// partition) answers only those partitions, and the handler serves the rest.
import type { BrokerMetadata } from '../metadata/broker-metadata.js';

type Body = Record<string, unknown>;
type Entry = Record<string, unknown>;

/** Field names of one API's topic and partition arrays, in its request and its response. */
interface PartitionedShape {
  readonly request: { readonly topics: string; readonly name: string; readonly partitions: string; readonly index: string };
  readonly response: { readonly topics: string; readonly name: string; readonly partitions: string; readonly index: string };
  /** The partition entry's fields besides its index and error code, as Kafka fills them for an error. */
  readonly errorFields: Entry;
}

const SHAPES: Readonly<Record<string, PartitionedShape>> = {
  Produce: {
    request: { topics: 'topicData', name: 'name', partitions: 'partitionData', index: 'index' },
    response: { topics: 'responses', name: 'name', partitions: 'partitionResponses', index: 'index' },
    errorFields: { baseOffset: -1n },
  },
  Fetch: {
    request: { topics: 'topics', name: 'topic', partitions: 'partitions', index: 'partition' },
    response: { topics: 'responses', name: 'topic', partitions: 'partitions', index: 'partitionIndex' },
    errorFields: { highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: null },
  },
  ListOffsets: {
    request: { topics: 'topics', name: 'name', partitions: 'partitions', index: 'partitionIndex' },
    response: { topics: 'topics', name: 'name', partitions: 'partitions', index: 'partitionIndex' },
    errorFields: { timestamp: -1n, offset: -1n },
  },
  OffsetCommit: {
    request: { topics: 'topics', name: 'name', partitions: 'partitions', index: 'partitionIndex' },
    response: { topics: 'topics', name: 'name', partitions: 'partitions', index: 'partitionIndex' },
    errorFields: {},
  },
};

/** The APIs a fault may scope to a topic or partition. */
export const PARTITIONED_APIS: readonly string[] = Object.keys(SHAPES);

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** A topic entry's name: its name field, or (Fetch v13+) the name of its topic id in this broker's metadata. */
function topicName(entry: Entry, nameField: string, metadata: BrokerMetadata): string {
  const name = entry[nameField];
  if (typeof name === 'string' && name !== '') return name;
  const id = entry['topicId'];
  return typeof id === 'string' ? (metadata.topicById(id)?.name ?? '') : '';
}

/** The topic-partitions the request names, or undefined for an API without per-partition results. */
export function requestPartitions(api: string, body: Body, metadata: BrokerMetadata): TopicPartition[] | undefined {
  const shape = SHAPES[api]?.request;
  if (shape === undefined) return undefined;
  return ((body[shape.topics] ?? []) as Entry[]).flatMap((topic) => {
    const name = topicName(topic, shape.name, metadata);
    return ((topic[shape.partitions] ?? []) as Entry[]).map((p) => ({ topic: name, partition: p[shape.index] as number }));
  });
}

/** The request without the partitions `failed` picks, and those partitions (each with its topic entry, for the response). */
export function splitRequest(
  api: string,
  body: Body,
  metadata: BrokerMetadata,
  failed: (p: TopicPartition) => boolean,
): { rest: Body; removed: { topic: Entry; name: string; partition: number }[] } {
  const shape = SHAPES[api]!.request;
  const removed: { topic: Entry; name: string; partition: number }[] = [];
  const topics = ((body[shape.topics] ?? []) as Entry[]).flatMap((topic) => {
    const name = topicName(topic, shape.name, metadata);
    const kept = ((topic[shape.partitions] ?? []) as Entry[]).filter((p) => {
      const partition = p[shape.index] as number;
      if (!failed({ topic: name, partition })) return true;
      removed.push({ topic, name, partition });
      return false;
    });
    return kept.length === 0 ? [] : [{ ...topic, [shape.partitions]: kept }];
  });
  return { rest: { ...body, [shape.topics]: topics }, removed };
}

/** Whether a request has partitions left for its handler. */
export function hasPartitions(api: string, body: Body): boolean {
  return ((body[SHAPES[api]!.request.topics] ?? []) as unknown[]).length > 0;
}

/**
 * Puts an error entry for each removed partition into `response` (the
 * handler's, or an empty one): beside its topic's entries, replacing an
 * entry for the same partition (a Fetch session may list it).
 */
export function mergePartitionErrors(api: string, response: Body, removed: readonly { topic: Entry; name: string; partition: number }[], errorCode: number): Body {
  const { response: shape, request, errorFields } = SHAPES[api]!;
  const topics = [...((response[shape.topics] ?? []) as Entry[])];
  for (const { topic, name, partition } of removed) {
    const id = topic['topicId'];
    let at = topics.findIndex((t) => (id !== undefined && t['topicId'] === id) || t[shape.name] === name);
    if (at < 0) {
      topics.push({ [shape.name]: topic[request.name] ?? name, ...(id === undefined ? {} : { topicId: id }), [shape.partitions]: [] });
      at = topics.length - 1;
    }
    const entry = topics[at]!;
    const partitions = ((entry[shape.partitions] ?? []) as Entry[]).filter((p) => p[shape.index] !== partition);
    partitions.push({ [shape.index]: partition, errorCode, ...errorFields });
    topics[at] = { ...entry, [shape.partitions]: partitions };
  }
  return { ...response, [shape.topics]: topics };
}
