// The end-to-end latency loop, the same for every client: one producer and
// one consumer in this process. The producer sends at `ratePerSecond`: every
// millisecond or so, the records due by then in one send() call, each value
// numbered and its send() time kept; the consumer, started at the end of the
// topic, takes receive time - send() time. The measured phase starts once
// the consumer has received something and the warm-up has passed, and holds
// `seconds` x `ratePerSecond` records, every one of which must arrive.
// Latency counts from the send() call, not from when the record was due: how
// far the calls fell behind the schedule (a stalled event loop, a client
// slower than the rate) is reported beside it.
import { setTimeout as sleep } from 'node:timers/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { ClientDriver } from './driver.js';
import type { EndToEndJob, EndToEndResult } from './messages.js';
import { numberedValue, valueNumber } from './values.js';

const CONSUMER_START_LIMIT_MS = 30_000;
const DRAIN_LIMIT_MS = 10_000;
/** More than this many seconds' worth of records unacknowledged: the client cannot keep the rate. */
const BACKLOG_SECONDS = 2;

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export async function runEndToEnd(driver: ClientDriver, job: EndToEndJob): Promise<EndToEndResult> {
  const capacity = Math.ceil(job.ratePerSecond * (CONSUMER_START_LIMIT_MS / 1000 + job.warmupSeconds + job.seconds + 1));
  const sentAt = new Float64Array(capacity);
  const latencies: number[] = [];
  const ackLatencies: number[] = [];
  let measuredFrom = Infinity;
  let measuredTo = Infinity;
  let received = 0;
  let failure: unknown;
  const consumer = await driver.consumer({
    bootstrap: job.bootstrap,
    topic: job.topic,
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
  let measuredStart = Infinity;
  let lastSend = 0;
  let maxBehindMs = 0;
  // How long this process's event loop stalled in the measured phase: a stall delays sends and receipts alike.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  try {
    const start = performance.now();
    while (sent < measuredTo) {
      if (failure !== undefined) throw failure;
      const now = performance.now();
      if (measuredFrom === Infinity && received > 0 && now - start >= job.warmupSeconds * 1000) {
        measuredStart = now;
        measuredFrom = sent;
        measuredTo = Math.min(capacity, sent + Math.round(job.ratePerSecond * job.seconds));
        loopDelay.enable();
      }
      if (measuredFrom === Infinity && now - start > CONSUMER_START_LIMIT_MS)
        throw new Error(`${job.client}: the consumer received nothing of ${job.topic} in ${CONSUMER_START_LIMIT_MS} ms`);
      const due = Math.min(measuredTo, capacity, Math.floor(((now - start) / 1000) * job.ratePerSecond));
      if (due > sent) {
        const values = Array.from({ length: due - sent }, (_, i) => numberedValue(sent + i, job.valueBytes));
        const at = performance.now();
        const measured = sent >= measuredFrom;
        if (measured) maxBehindMs = Math.max(maxBehindMs, at - (start + (sent / job.ratePerSecond) * 1000));
        sentAt.fill(at, sent, due);
        sent = due;
        lastSend = at;
        producer.send(job.topic, values).then(
          (acked) => {
            acknowledged += acked;
            if (measured) ackLatencies.push(performance.now() - at);
          },
          (error: unknown) => (failure ??= error),
        );
      }
      if (sent - acknowledged > job.ratePerSecond * BACKLOG_SECONDS)
        throw new Error(`${job.client}: ${sent - acknowledged} records unacknowledged at ${job.ratePerSecond} records/s`);
      await sleep(1);
    }
    loopDelay.disable();
    const expected = measuredTo - measuredFrom;
    const drainUntil = performance.now() + DRAIN_LIMIT_MS;
    while (latencies.length < expected && performance.now() < drainUntil && failure === undefined) await sleep(5);
    if (failure !== undefined) throw failure;
    if (latencies.length !== expected) throw new Error(`${job.client}: received ${latencies.length} of the ${expected} records sent in the measured phase`);
    const sorted = Float64Array.from(latencies).sort();
    const acks = Float64Array.from(ackLatencies).sort();
    return {
      kind: 'e2e',
      sent: expected,
      received: latencies.length,
      seconds: (lastSend - measuredStart) / 1000,
      maxBehindMs,
      p50Ms: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
      p999Ms: quantile(sorted, 0.999),
      maxMs: sorted[sorted.length - 1]!,
      ackP50Ms: quantile(acks, 0.5),
      ackP99Ms: quantile(acks, 0.99),
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      loopDelayMaxMs: loopDelay.max / 1e6,
      description: driver.description,
      notes: driver.notes,
    };
  } finally {
    loopDelay.disable();
    await producer.close().catch(() => {});
    await consumer.close().catch(() => {});
  }
}
