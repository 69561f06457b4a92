// `kstream topics describe`: each topic's partitions as Metadata shows them
// now (leader, replicas, ISR, offline replicas) with their log start and end
// offsets from ListOffsets, and the configs set on the topic (every config
// with --all-configs).
import type { Admin, ConfigEntry, ListedOffset, TopicDescription } from '@kstream/client';
import { AdminBatchError } from '@kstream/client';
import { CommandError } from './cli-errors.js';
import { kafkaErrorName } from './cluster-connection.js';
import type { OutputOptions } from './output.js';
import { printJson, printTable, writeLine } from './output.js';

interface DescribedPartition {
  readonly partition: number;
  readonly leader: number | null;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly offline: readonly number[];
  readonly logStartOffset: bigint | null;
  readonly logEndOffset: bigint | null;
}

interface DescribedTopic {
  readonly topic: string;
  readonly topicId: string | null;
  readonly partitionCount: number;
  readonly replicationFactor: number;
  readonly configs: Record<string, string | null>;
  readonly partitions: readonly DescribedPartition[];
}

export async function describeTopics(admin: Admin, names: readonly string[], options: { allConfigs: boolean; output: OutputOptions }): Promise<void> {
  const topics = names.length > 0 ? names : await admin.listTopics();
  if (topics.length === 0) return;
  let descriptions: TopicDescription[];
  try {
    descriptions = await admin.describeTopics(topics, { includeConfigs: true });
  } catch (error) {
    if (kafkaErrorName(error) === 'UNKNOWN_TOPIC_OR_PARTITION') throw new CommandError(`topic ${JSON.stringify((error as AdminBatchError).failures[0]!.item)} does not exist`);
    throw error;
  }
  const partitions = descriptions.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition })));
  const [starts, ends] = await Promise.all([offsets(admin, partitions, 'earliest'), offsets(admin, partitions, 'latest')]);
  const described = descriptions.map(
    (t): DescribedTopic => ({
      topic: t.topic,
      topicId: t.topicId,
      partitionCount: t.partitions.length,
      replicationFactor: t.partitions[0]?.replicas.length ?? 0,
      configs: Object.fromEntries((t.configs ?? []).filter((c) => options.allConfigs || isSetOnTopic(c)).map((c) => [c.name, c.value])),
      partitions: t.partitions.map((p) => ({
        partition: p.partition,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
        offline: p.offline,
        logStartOffset: starts.get(`${t.topic}-${p.partition}`) ?? null,
        logEndOffset: ends.get(`${t.topic}-${p.partition}`) ?? null,
      })),
    }),
  );
  if (options.output.json) {
    for (const topic of described) printJson(topic);
    return;
  }
  described.forEach((topic, index) => {
    if (options.output.tty && index > 0) writeLine('');
    const configs = Object.entries(topic.configs)
      .map(([name, value]) => `${name}=${value ?? ''}`)
      .join(',');
    writeLine(
      `Topic: ${topic.topic}\tTopicId: ${topic.topicId ?? '-'}\tPartitionCount: ${topic.partitionCount}\tReplicationFactor: ${topic.replicationFactor}\tConfigs: ${configs}`,
    );
    printTable(
      options.output,
      ['TOPIC', 'PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'OFFLINE', 'LOG-START-OFFSET', 'LOG-END-OFFSET'],
      topic.partitions.map((p) => [
        topic.topic,
        p.partition,
        p.leader ?? 'none',
        p.replicas.join(','),
        p.isr.join(','),
        p.offline.join(',') || '-',
        p.logStartOffset,
        p.logEndOffset,
      ]),
    );
  });
}

/** A config the topic itself sets, as kafka-topics --describe lists them. */
function isSetOnTopic(config: ConfigEntry): boolean {
  return config.source === 'TOPIC_CONFIG';
}

/** The offsets the leaders could give, by `${topic}-${partition}`; a partition without a leader is left out. */
async function offsets(admin: Admin, partitions: readonly { topic: string; partition: number }[], spec: 'earliest' | 'latest'): Promise<Map<string, bigint>> {
  let found: readonly ListedOffset[];
  try {
    found = await admin.listOffsets(partitions.map((tp) => ({ ...tp, spec })));
  } catch (error) {
    if (!(error instanceof AdminBatchError)) throw error;
    found = error.succeeded as ListedOffset[];
  }
  return new Map(found.map((f) => [`${f.topic}-${f.partition}`, f.offset]));
}
