// kafkajs's offset calls (topic offsets, a group's committed offsets and
// their resets) on the client's Admin.
import type { Admin as ClientAdmin, ListOffsetsQuery } from '../admin/index.js';
import { KafkaJSNonRetriableError } from './errors.js';
import type { FetchOffsetsPartition, SeekEntry } from './types-admin.js';

async function partitionsOf(admin: ClientAdmin, topic: string): Promise<number[]> {
  const [description] = await admin.describeTopics([topic]);
  return description!.partitions.map((p) => p.partition);
}

function requireTopic(topic: unknown): asserts topic is string {
  if (!topic || typeof topic !== 'string') throw new KafkaJSNonRetriableError(`Invalid topic ${String(topic)}`);
}

function requireGroupId(groupId: unknown): asserts groupId is string {
  if (!groupId || typeof groupId !== 'string') throw new KafkaJSNonRetriableError(`Invalid groupId ${String(groupId)}`);
}

/** Per partition: `high` (the high watermark, also `offset`) and `low` (the log start offset). */
export async function fetchTopicOffsets(admin: ClientAdmin, topic: string): Promise<Array<SeekEntry & { high: string; low: string }>> {
  requireTopic(topic);
  const partitions = await partitionsOf(admin, topic);
  const query = (spec: ListOffsetsQuery['spec']) => admin.listOffsets(partitions.map((partition) => ({ topic, partition, spec })));
  const [high, low] = await Promise.all([query('latest'), query('earliest')]);
  return high.map(({ partition, offset }, i) => ({ partition, offset: String(offset), high: String(offset), low: String(low[i]!.offset) }));
}

/** Per partition: the first offset at or after `timestamp`, or the high watermark when no record is that late (as kafkajs). */
export async function fetchTopicOffsetsByTimestamp(admin: ClientAdmin, topic: string, timestamp?: number): Promise<SeekEntry[]> {
  requireTopic(topic);
  const partitions = await partitionsOf(admin, topic);
  const spec: ListOffsetsQuery['spec'] = timestamp === undefined ? 'latest' : { timestamp };
  const [found, high] = await Promise.all([
    admin.listOffsets(partitions.map((partition) => ({ topic, partition, spec }))),
    admin.listOffsets(partitions.map((partition) => ({ topic, partition, spec: 'latest' as const }))),
  ]);
  return found.map(({ partition, offset }, i) => ({ partition, offset: String(offset >= 0n ? offset : high[i]!.offset) }));
}

/**
 * The group's committed offsets: for each topic asked, every partition
 * ('-1' where nothing is committed); without topics, every partition the
 * group has committed. resolveOffsets: a partition with nothing committed
 * (-1, which kafkajs reads as "latest") gets its high watermark, committed
 * for the group and returned, as kafkajs does.
 */
export async function fetchOffsets(
  admin: ClientAdmin,
  { groupId, topics, resolveOffsets = false }: { groupId: string; topics?: string[]; resolveOffsets?: boolean },
): Promise<Array<{ topic: string; partitions: FetchOffsetsPartition[] }>> {
  requireGroupId(groupId);
  if (topics !== undefined && !Array.isArray(topics)) throw new KafkaJSNonRetriableError('Expected topics array to be set');
  const asked =
    topics === undefined || topics.length === 0
      ? undefined
      : (await Promise.all(topics.map(async (topic) => (await partitionsOf(admin, topic)).map((partition) => ({ topic, partition }))))).flat();
  const committed = await admin.fetchCommittedOffsets(groupId, asked);
  const byTopic = new Map<string, FetchOffsetsPartition[]>();
  for (const topic of topics ?? []) byTopic.set(topic, []);
  for (const { topic, partition, offset, metadata } of committed) {
    let list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, (list = []));
    // kafkajs hands an empty metadata string over as null.
    list.push({ partition, offset: offset === null ? '-1' : String(offset), metadata: metadata || null });
  }
  if (resolveOffsets) {
    for (const [topic, partitions] of byTopic) {
      const missing = partitions.filter((p) => p.offset === '-1');
      if (missing.length === 0) continue;
      const high = await admin.listOffsets(missing.map(({ partition }) => ({ topic, partition, spec: 'latest' as const })));
      high.forEach(({ offset }, i) => {
        missing[i]!.offset = String(offset);
      });
      await setOffsets(admin, { groupId, topic, partitions: missing });
    }
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

/** Commits the given offsets for a group without members (kafkajs refuses a running group, and so does the client). */
export async function setOffsets(admin: ClientAdmin, { groupId, topic, partitions }: { groupId: string; topic: string; partitions: SeekEntry[] }): Promise<void> {
  requireGroupId(groupId);
  requireTopic(topic);
  if (!partitions || partitions.length === 0) throw new KafkaJSNonRetriableError('Invalid partitions');
  for (const { partition, offset } of partitions) {
    await admin.resetGroupOffsets(groupId, { topics: [{ topic, partition }], to: { offset: BigInt(offset) } });
  }
}

/** Moves the group's offsets for every partition of `topic` to its earliest or latest offset. */
export async function resetOffsets(admin: ClientAdmin, { groupId, topic, earliest = false }: { groupId: string; topic: string; earliest?: boolean }): Promise<void> {
  requireGroupId(groupId);
  requireTopic(topic);
  await admin.resetGroupOffsets(groupId, { topics: [topic], to: earliest ? 'earliest' : 'latest' });
}
