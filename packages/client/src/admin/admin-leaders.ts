// Routing partition items to their leaders (ListOffsets, DeleteRecords):
// a topic or partition the cluster does not have fails at once, the rest go
// one request per leader. Any retriable error of a partition makes its
// topic's metadata stale, so the next attempt finds the leader afresh.
import { ErrorCode } from '@kstream/protocol';
import type { TopicPartition } from '../consumer/assignors/assignor.js';
import { protocolError } from '../errors/index.js';
import type { KafkaClientError } from '../errors/index.js';
import type { BatchSpec, ItemOutcome } from './admin-batch.js';
import type { AdminContext } from './admin-call.js';
import { hasCode } from './admin-retry-policy.js';
import { asClientError, sendPerBroker } from './admin-routing.js';

/** "orders-3", as Kafka names a partition. */
export function partitionName(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

export async function sendPerLeader<I extends TopicPartition, R>(
  context: AdminContext,
  api: string,
  pending: readonly I[],
  send: Parameters<typeof sendPerBroker<I, R>>[2],
): Promise<(ItemOutcome<R> | undefined)[]> {
  const partitionCounts = await knownPartitionCounts(context, pending);
  const outcomes: (ItemOutcome<R> | undefined)[] = new Array(pending.length);
  const routable: number[] = [];
  for (const [index, item] of pending.entries()) {
    const count = partitionCounts.get(item.topic)!;
    if (typeof count !== 'number') outcomes[index] = { error: count, final: hasCode(count, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) };
    else if (item.partition < 0 || item.partition >= count) outcomes[index] = { error: unknownPartition(api, item), final: true };
    else routable.push(index);
  }
  const routed = await sendPerBroker(
    routable.map((index) => pending[index]!),
    async (item) => context.cluster.broker(await context.cluster.leaderFor(item.topic, item.partition)),
    send,
  );
  for (const [at, index] of routable.entries()) outcomes[index] = routed[at];
  return outcomes;
}

/** The retry policy of leader-routed items: retriable errors wait for fresh metadata. */
export function leaderRetry(context: AdminContext): NonNullable<BatchSpec<TopicPartition, unknown>['retryItem']> {
  return (item: TopicPartition, error: KafkaClientError) => {
    if (error.retriable) context.cluster.invalidate(item.topic);
    return error.retriable;
  };
}

/**
 * Each topic's partition count, or why it has none. A partition past the
 * cached count may be new (createPartitions), so such a topic is looked up
 * once more before its partition is called unknown.
 */
async function knownPartitionCounts(context: AdminContext, items: readonly TopicPartition[]): Promise<Map<string, number | KafkaClientError>> {
  const counts = new Map<string, number | KafkaClientError>();
  const topics = [...new Set(items.map((i) => i.topic))];
  await Promise.all(
    topics.map(async (topic) => {
      try {
        let metadata = await context.cluster.topic(topic);
        const highest = Math.max(...items.filter((i) => i.topic === topic).map((i) => i.partition));
        if (highest >= metadata.partitions.length) {
          context.cluster.invalidate(topic);
          metadata = await context.cluster.topic(topic);
        }
        counts.set(topic, metadata.partitions.length);
      } catch (error) {
        counts.set(topic, asClientError(error));
      }
    }),
  );
  return counts;
}

function unknownPartition(api: string, tp: TopicPartition): KafkaClientError {
  return protocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, {
    api,
    topic: tp.topic,
    partition: tp.partition,
    serverMessage: `${partitionName(tp)} does not exist`,
  });
}
