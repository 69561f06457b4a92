// What every figure of the replication benchmark shares: the cluster it
// started, a Kafka admin client, the wire-level client, and where to put files.
import { join } from 'node:path';
import type { Cluster } from '@kstream/kstream';
import { partitionDirName } from '@kstream/log-storage';
import type { Admin } from 'kafkajs';
import type { ClusterClient } from './cluster-client.js';

export interface BenchContext {
  readonly cluster: Cluster;
  readonly admin: Admin;
  readonly client: ClusterClient;
  /** The node's data directory: `broker-<id>/<topic>-<partition>` holds each replica. */
  readonly dataDir: string;
  /** Scratch space for input files and copies, deleted at the end. */
  readonly workDir: string;
  readonly quick: boolean;
}

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Topic configs under Kafka's names. */
  readonly configs?: Readonly<Record<string, string>>;
}

/** Creates a topic and waits until every partition has a leader and its full ISR in Metadata. */
export async function createTopic(bench: BenchContext, spec: TopicSpec): Promise<void> {
  const created = await bench.admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic: spec.topic,
        numPartitions: spec.partitions,
        replicationFactor: spec.replicationFactor,
        configEntries: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
      },
    ],
  });
  if (!created) throw new Error(`topic ${spec.topic} already exists`);
  for (let partition = 0; partition < spec.partitions; partition++) {
    await bench.client.waitFor(
      spec.topic,
      partition,
      `a leader and ${spec.replicationFactor} in-sync replicas`,
      (view) => view.leaderId >= 0 && view.isr.length === spec.replicationFactor,
      30_000,
    );
  }
}

export async function deleteTopic(bench: BenchContext, topic: string): Promise<void> {
  await bench.admin.deleteTopics({ topics: [topic] });
}

/** The replica's directory on disk: `<data dir>/broker-<id>/<topic>-<partition>`. */
export function replicaDir(bench: BenchContext, brokerId: number, topic: string, partition: number): string {
  return join(bench.dataDir, `broker-${brokerId}`, partitionDirName(topic, partition));
}
