// The end-to-end latency loop, the same for every client: one producer and
// one consumer in this process. The producer sends at `ratePerSecond`: every
// millisecond or so, the records due by then in one send() call, each value
// numbered and its send() time kept; the consumer, started at the end of the
// topic, takes receive time - send() time. The measured phase starts once
// the consumer has received something and the warm-up has passed; every
// record sent in it must arrive. Latency counts from the send() call, not
// from when the record was due: a client that falls behind the rate shows
// as a lower sent count, which the parent checks.
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import type { ClientDriver } from './driver.js';
import type { EndToEndJob, EndToEndResult } from './messages.js';
import { numberedValue, valueNumber } from './values.js';

const CONSUMER_START_LIMIT_MS = 30_000;
const DRAIN_LIMIT_MS = 10_000;
/** More than this many seconds' worth of records unacknowledged: the client cannot keep the rate. */
const BACKLOG_SECONDS = 2;

export async function runEndToEnd(driver: ClientDriver, job: EndToEndJob): Promise<EndToEndResult> {
  const capacity = Math.ceil(job.ratePerSecond * (CONSUMER_START_LIMIT_MS / 1000 + job.warmupSeconds + job.seconds + 1));
  const sentAt = new Float64Array(capacity);
  const latencies: number[] = [];
  let measuredFrom = Infinity;
  let received = 0;
  let failure: unknown;
  const consumer = await driver.consumer({
    bootstrap: job.bootstrap,
    topic: job.topic,
    partitions: job.partitions,
    from: 'latest',
    groupId: job.groupId,
    onRecord(value) {
      const n = valueNumber(value);
      received++;
      if (n >= measuredFrom) latencies.push(performance.now() - sentAt[n]!);
    },
    onError: (error) => (failure ??= error),
  });
  const producer = await driver.producer({ bootstrap: job.bootstrap, acks: -1, idempotent: false, lowLatency: true });
  let sent = 0;
  let acknowledged = 0;
  try {
    const start = performance.now();
    let measuredStart = Infinity;
    for (;;) {
      if (failure !== undefined) throw failure;
      const now = performance.now();
      if (measuredStart === Infinity && received > 0 && now - start >= job.warmupSeconds * 1000) {
        measuredStart = now;
        measuredFrom = sent;
      }
      if (now - measuredStart >= job.seconds * 1000) break;
      if (measuredStart === Infinity && now - start > CONSUMER_START_LIMIT_MS) throw new Error(`${job.client}: the consumer received nothing of ${job.topic} in ${CONSUMER_START_LIMIT_MS} ms`);
      const due = Math.min(capacity, Math.floor(((now - start) / 1000) * job.ratePerSecond));
      if (due > sent) {
        const values = Array.from({ length: due - sent }, (_, i) => numberedValue(sent + i, job.valueBytes));
        const at = performance.now();
        sentAt.fill(at, sent, due);
        sent = due;
        producer.send(job.topic, values).then(
          (acked) => (acknowledged += acked),
          (error: unknown) => (failure ??= error),
        );
      }
      if (sent - acknowledged > job.ratePerSecond * BACKLOG_SECONDS) throw new Error(`${job.client}: ${sent - acknowledged} records unacknowledged at ${job.ratePerSecond} records/s`);
      await sleep(1);
    }
    const expected = sent - measuredFrom;
    const drainUntil = performance.now() + DRAIN_LIMIT_MS;
    while (latencies.length < expected && performance.now() < drainUntil && failure === undefined) await sleep(5);
    if (failure !== undefined) throw failure;
    if (latencies.length !== expected) throw new Error(`${job.client}: received ${latencies.length} of the ${expected} records sent in the measured phase`);
    const sorted = Float64Array.from(latencies).sort();
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
    return { kind: 'e2e', sent: expected, received: latencies.length, seconds: job.seconds, p50Ms: at(0.5), p99Ms: at(0.99), p999Ms: at(0.999), maxMs: sorted[sorted.length - 1]!, description: driver.description, notes: driver.notes };
  } finally {
    await producer.close().catch(() => {});
    await consumer.close().catch(() => {});
  }
}
