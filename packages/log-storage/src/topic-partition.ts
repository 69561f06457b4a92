/** A partition of a topic, as Kafka names it: `topic-partition` in messages and directory names. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export function topicPartitionName(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}
