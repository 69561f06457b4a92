// Latencies of a benchmark run, in milliseconds, one per record (Kafka's perf
// tools sample; a Float64Array of every record costs 8 bytes each and gives
// exact percentiles), and the percentiles Kafka's tools print.

export interface LatencySummary {
  readonly count: number;
  readonly avgMs: number;
  readonly maxMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
}

export class LatencyRecorder {
  readonly #latencies: Float64Array;
  #count = 0;
  #sum = 0;
  #max = 0;

  constructor(capacity: number) {
    this.#latencies = new Float64Array(capacity);
  }

  record(ms: number): void {
    if (this.#count < this.#latencies.length) this.#latencies[this.#count] = ms;
    this.#count++;
    this.#sum += ms;
    if (ms > this.#max) this.#max = ms;
  }

  get count(): number {
    return this.#count;
  }

  summary(): LatencySummary {
    const sorted = this.#latencies.slice(0, Math.min(this.#count, this.#latencies.length)).sort();
    // Kafka's ProducerPerformance.percentiles: the value at index floor(p * n).
    const at = (p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);
    return {
      count: this.#count,
      avgMs: this.#count === 0 ? 0 : this.#sum / this.#count,
      maxMs: this.#max,
      p50Ms: at(0.5),
      p95Ms: at(0.95),
      p99Ms: at(0.99),
      p999Ms: at(0.999),
    };
  }
}

/** The figures of a window or a whole run: records and bytes over elapsed milliseconds. */
export function rates(records: number, bytes: number, elapsedMs: number): { recordsPerSec: number; mbPerSec: number } {
  const seconds = Math.max(elapsedMs, 1) / 1000;
  return { recordsPerSec: records / seconds, mbPerSec: bytes / (1024 * 1024) / seconds };
}
