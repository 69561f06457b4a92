import { Gauge, Registry } from './prom-client.js';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { GroupCoordinator } from '@kstream/group-coordinator';
import type { ReplicaManager } from '../partitions/replica-manager.js';
import { registerGroupOffsetGauges } from './group-offset-gauges.js';
import { registerPartitionGauges } from './partition-gauges.js';
import { RequestMetrics } from './request-metrics.js';
import { TrafficMetrics } from './traffic-metrics.js';
import { WorkerMetrics } from './worker-metrics.js';

/** A broker's metrics as its node receives them over the worker channel (prom-client's getMetricsAsJSON). */
export type BrokerMetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/**
 * One broker worker's Prometheus metrics, in a registry of its own whose
 * default label is `broker="<id>"`; the node gathers every broker's at each
 * scrape (the Metrics message). Counters are counted where requests and
 * appends pass (`requests`, `traffic`, `connections`); gauges read the
 * broker's state when scraped, from the services `watch` hands over once
 * the broker has started. Owned by the broker worker's loop.
 */
export class BrokerMetrics {
  readonly registry = new Registry();
  readonly requests: RequestMetrics;
  readonly traffic: TrafficMetrics;
  /** Client connections open. */
  readonly connections: Gauge;
  readonly #worker: WorkerMetrics;
  #replicas: ReplicaManager | undefined;
  #groups: GroupCoordinator | undefined;

  constructor(brokerId: number) {
    this.registry.setDefaultLabels({ broker: String(brokerId) });
    this.requests = new RequestMetrics(this.registry);
    this.traffic = new TrafficMetrics(this.registry);
    this.connections = new Gauge({ name: 'kstream_connections', help: 'Client connections open', registers: [this.registry] });
    this.#worker = new WorkerMetrics(this.registry);
    registerPartitionGauges(this.registry, () => this.#replicas);
    registerGroupOffsetGauges(this.registry, () => this.#groups);
  }

  /** The started broker's partitions and group coordinator, read by the gauges from now on. */
  watch(services: { readonly partitions: ReplicaManager; readonly groups: GroupCoordinator }): void {
    this.#replicas = services.partitions;
    this.#groups = services.groups;
  }

  snapshot(): Promise<BrokerMetricsSnapshot> {
    return this.registry.getMetricsAsJSON();
  }

  close(): void {
    this.#worker.close();
  }
}
