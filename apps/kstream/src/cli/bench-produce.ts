// `kstream bench produce`: kafka-producer-perf-test. Sends --num-records
// records of --record-size random bytes, at most --throughput a second, and
// prints Kafka's final line: records sent, records/sec (MB/sec), avg and max
// latency, then the 50th, 95th, 99th and 99.9th percentiles — each record's
// latency from send() to its acknowledgement.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Producer } from '@kstream/client';
import type { CompressionName } from '@kstream/client';
import type { ConnectionOptions } from './connection-options.js';
import { clientOptions, partitionsOf, withAdmin } from './cluster-connection.js';
import { LatencyRecorder, rates } from './bench-latency.js';
import type { LatencySummary } from './bench-latency.js';
import { printJson, writeLine } from './output.js';
import { ProgressLine } from './progress-line.js';

export interface ProduceBenchOptions {
  topic: string;
  numRecords: number;
  recordSize: number;
  /** Records a second; -1: as fast as the cluster takes them. */
  throughput: number;
  acks: 0 | 1 | -1;
  compression: CompressionName;
  lingerMs: number;
  batchSize: number;
  json?: boolean;
}

/** Sends not yet acknowledged before the loop waits: the producer's buffer bounds bytes, this bounds promises. */
const MAX_PENDING = 50_000;

export async function benchProduce(connection: ConnectionOptions, options: ProduceBenchOptions): Promise<void> {
  await withAdmin(connection, (admin) => partitionsOf(admin, options.topic));
  const producer = new Producer({
    ...clientOptions(connection),
    acks: options.acks,
    compression: options.compression,
    lingerMs: options.lingerMs,
    batchSize: options.batchSize,
  });
  // Kafka's tool sends random uppercase letters; one payload serves every record.
  const payload = Buffer.from(randomBytes(options.recordSize).map((b) => 65 + (b % 26)));
  const latencies = new LatencyRecorder(options.numRecords);
  let acknowledged = 0;
  let failure: unknown;
  // Sends not yet answered, and the loop's wait for room: one waiter woken by a count, not a race over every pending
  // promise (Promise.race of 50,000 promises per send held this loop at ~26,000 records/s).
  let inFlight = 0;
  let room: (() => void) | undefined;
  const settled = (): void => {
    inFlight--;
    if (room !== undefined && inFlight < MAX_PENDING) {
      room();
      room = undefined;
    }
  };
  const started = performance.now();
  const progress = new ProgressLine(
    () =>
      `${acknowledged} of ${options.numRecords} records sent, ${rates(acknowledged, acknowledged * options.recordSize, performance.now() - started).recordsPerSec.toFixed(1)} records/sec`,
  );
  try {
    await producer.connect();
    for (let i = 0; i < options.numRecords && failure === undefined; i++) {
      if (options.throughput > 0) {
        const due = started + (i * 1000) / options.throughput;
        const ahead = due - performance.now();
        if (ahead >= 1) await sleep(ahead);
      }
      const sentAt = performance.now();
      inFlight++;
      producer.send({ topic: options.topic, value: payload }).then(
        () => {
          latencies.record(performance.now() - sentAt);
          acknowledged++;
          settled();
        },
        (error: unknown) => {
          failure ??= error;
          settled();
        },
      );
      if (inFlight >= MAX_PENDING) await new Promise<void>((resolve) => (room = resolve));
    }
    while (inFlight > 0) await new Promise<void>((resolve) => (room = resolve));
    if (failure !== undefined) throw failure;
  } finally {
    progress.stop();
    await producer.close();
  }
  const elapsedMs = performance.now() - started;
  report(options, latencies.summary(), elapsedMs);
}

function report(options: ProduceBenchOptions, latency: LatencySummary, elapsedMs: number): void {
  const { recordsPerSec, mbPerSec } = rates(latency.count, latency.count * options.recordSize, elapsedMs);
  if (options.json === true) {
    printJson({ records: latency.count, recordSize: options.recordSize, elapsedMs, recordsPerSec, mbPerSec, latencyMs: latency });
    return;
  }
  writeLine(
    `${latency.count} records sent, ${recordsPerSec.toFixed(1)} records/sec (${mbPerSec.toFixed(2)} MB/sec), ` +
      `${latency.avgMs.toFixed(2)} ms avg latency, ${latency.maxMs.toFixed(2)} ms max latency, ` +
      `${Math.floor(latency.p50Ms)} ms 50th, ${Math.floor(latency.p95Ms)} ms 95th, ${Math.floor(latency.p99Ms)} ms 99th, ${Math.floor(latency.p999Ms)} ms 99.9th.`,
  );
}
