import { Counter, Gauge } from './prom-client.js';
import type { Registry } from './prom-client.js';
import type { ReplicaManager } from '../partitions/replica-manager.js';

/**
 * The state of the partitions this broker hosts, read from its
 * ReplicaManager at each scrape (nothing is counted on the data path):
 * Kafka's PartitionCount, LeaderCount, UnderReplicatedPartitions, Size and
 * the purgatory sizes, each led partition's high watermark (from which
 * the node works out consumer group lag), and the log's open files.
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
    name: 'kstream_log_open_files',
    help: "Files this broker's log directory holds open (files a reader holds after their rename included)",
    registers,
    collect() {
      const files = replicas()?.logFiles;
      this.set(files === undefined ? 0 : files.open + files.outside);
    },
  });
  new Gauge({
    name: 'kstream_log_open_files_limit',
    help: "How many files this broker's log directory may hold open (log.open.files.max, resolved)",
    registers,
    collect() {
      this.set(replicas()?.logFiles.limit ?? 0);
    },
  });
  new Counter({
    name: 'kstream_log_file_evictions_total',
    help: 'Idle segment files closed to make room under log.open.files.max (each reopens on its next use); a steady rise means the limit is too low for the partitions in use',
    registers,
    collect() {
      this.reset();
      this.inc(replicas()?.logFiles.evictions ?? 0);
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
