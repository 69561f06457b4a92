import { Gauge } from './prom-client.js';
import type { Registry } from './prom-client.js';
import type { ReplicaManager } from '../partitions/replica-manager.js';

/**
 * The state of the partitions this broker hosts, read from its
 * ReplicaManager at each scrape (nothing is counted on the data path):
 * Kafka's PartitionCount, LeaderCount, UnderReplicatedPartitions, Size and
 * the purgatory sizes, and each led partition's high watermark (from which
 * the node works out consumer group lag).
 */
export function registerPartitionGauges(registry: Registry, replicas: () => ReplicaManager | undefined): void {
  const registers = [registry];
  const hosted = () => replicas()?.hostedPartitions() ?? [];
  new Gauge({
    name: 'kstream_partitions',
    help: 'Partitions hosted by this broker (leader or follower)',
    registers,
    collect() {
      this.set(hosted().length);
    },
  });
  new Gauge({
    name: 'kstream_leader_partitions',
    help: 'Partitions this broker leads',
    registers,
    collect() {
      this.set(hosted().filter((p) => p.isLeader).length);
    },
  });
  new Gauge({
    name: 'kstream_under_replicated_partitions',
    help: 'Partitions this broker leads whose ISR is smaller than their replica set',
    registers,
    collect() {
      this.set(hosted().filter((p) => p.isLeader && p.state.isr.length < p.state.replicas.length).length);
    },
  });
  new Gauge({
    name: 'kstream_log_size_bytes',
    help: "Bytes of a hosted partition's log segments",
    labelNames: ['topic', 'partition'],
    registers,
    collect() {
      this.reset();
      for (const p of hosted()) this.set({ topic: p.topic, partition: String(p.partition) }, p.log.size);
    },
  });
  new Gauge({
    name: 'kstream_partition_high_watermark',
    help: 'The high watermark of a partition this broker leads',
    labelNames: ['topic', 'partition'],
    registers,
    collect() {
      this.reset();
      for (const p of hosted()) if (p.isLeader) this.set({ topic: p.topic, partition: String(p.partition) }, Number(p.highWatermark));
    },
  });
  new Gauge({
    name: 'kstream_purgatory_size',
    help: 'Requests waiting in a purgatory: acks=all produces waiting for replication; fetches (consumers and followers) waiting for data, once per partition watched',
    labelNames: ['operation'],
    registers,
    collect() {
      const manager = replicas();
      let produces = 0;
      let fetches = 0;
      for (const p of hosted()) {
        produces += p.delayedProduces;
        fetches += (manager?.purgatory.watching(p.name) ?? 0) + (manager?.replicaFetchPurgatory.watching(p.name) ?? 0);
      }
      this.set({ operation: 'produce' }, produces);
      this.set({ operation: 'fetch' }, fetches);
    },
  });
}
