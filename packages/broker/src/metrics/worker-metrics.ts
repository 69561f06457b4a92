import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { Counter, Gauge } from './prom-client.js';
import type { Registry } from './prom-client.js';

/** The event-loop delay sampling resolution, in milliseconds. */
const DELAY_RESOLUTION_MS = 10;

/**
 * The broker worker thread's own resources: its V8 heap, its share of a CPU
 * (event-loop utilization: process.cpuUsage counts every thread of the
 * process) and its event-loop delay, whose percentiles cover the time since
 * the previous scrape. close() stops the delay sampling.
 */
export class WorkerMetrics {
  readonly #delay: IntervalHistogram;

  constructor(registry: Registry) {
    const registers = [registry];
    const delay = (this.#delay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS }));
    delay.enable();
    new Gauge({
      name: 'kstream_worker_heap_used_bytes',
      help: "The broker worker's V8 heap in use",
      registers,
      collect() {
        this.set(getHeapStatistics().used_heap_size);
      },
    });
    new Gauge({
      name: 'kstream_worker_heap_total_bytes',
      help: "The broker worker's V8 heap allocated",
      registers,
      collect() {
        this.set(getHeapStatistics().total_heap_size);
      },
    });
    new Counter({
      name: 'kstream_worker_busy_seconds_total',
      help: "Time the broker worker's event loop spent running (not idle): its CPU time, as performance.eventLoopUtilization counts it",
      registers,
      collect() {
        this.reset();
        this.inc(performance.eventLoopUtilization().active / 1000);
      },
    });
    new Gauge({
      name: 'kstream_worker_event_loop_delay_seconds',
      help: "The broker worker's event-loop delay since the previous scrape: p50, p99 and max",
      labelNames: ['quantile'],
      registers,
      collect() {
        const sampled = delay.count > 0;
        this.set({ quantile: '0.5' }, sampled ? delay.percentile(50) / 1e9 : 0);
        this.set({ quantile: '0.99' }, sampled ? delay.percentile(99) / 1e9 : 0);
        this.set({ quantile: 'max' }, sampled ? delay.max / 1e9 : 0);
        delay.reset();
      },
    });
  }

  close(): void {
    this.#delay.disable();
  }
}
