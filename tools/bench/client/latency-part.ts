// The end-to-end latency figures: each client, in its own child, produces at
// the rate into a new topic (6 partitions, RF 3, acks=all) and consumes it in
// the same process (latency-run.ts).
import { createTopic, deleteTopic } from '../replication/bench-context.js';
import { runInChild } from './child.js';
import type { ClientName, EndToEndResult } from './messages.js';
import { attempt, childOptions, formatRate, keepNotes, LABELS, newPartResult, PARTITIONS, VALUE_BYTES, type PartContext, type PartResult } from './part-context.js';

/** The target for ours. */
const P99_TARGET_MS = 5;

export async function latencyPart(context: PartContext): Promise<PartResult> {
  const { sizes, bench } = context;
  const out = newPartResult(
    `end-to-end latency at ${sizes.latencyRate.toLocaleString('en-US')} records/s, acks=all RF 3, ${PARTITIONS} partitions, ${VALUE_BYTES} B values, producer and consumer in one process: ` +
      `send() call -> record handed over, ${sizes.latencySeconds} s measured after >= ${sizes.latencyWarmupSeconds} s warm-up`,
  );
  const results = new Map<ClientName, EndToEndResult>();
  for (const client of context.clients) {
    const node = context.nodeFor(client);
    const topic = `client-latency-${client}`;
    const result = await attempt(out, `${LABELS[client]}, e2e`, async () => {
      await createTopic(bench, { topic, partitions: PARTITIONS, replicationFactor: 3 });
      return runInChild<EndToEndResult>(
        {
          kind: 'e2e',
          client,
          bootstrap: bench.cluster.bootstrap,
          topic,
          valueBytes: VALUE_BYTES,
          ratePerSecond: sizes.latencyRate,
          warmupSeconds: sizes.latencyWarmupSeconds,
          seconds: sizes.latencySeconds,
          groupId: `bench-latency-${client}`,
        },
        childOptions(context, client),
      );
    });
    if (result === undefined) continue;
    await deleteTopic(bench, topic);
    results.set(client, result);
    console.log(
      `  ${LABELS[client]} on node ${node.version}: p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, p99.9 ${result.p999Ms.toFixed(2)} ms, max ${result.maxMs.toFixed(2)} ms ` +
        `(send() -> acknowledged: p50 ${result.ackP50Ms.toFixed(2)} ms, p99 ${result.ackP99Ms.toFixed(2)} ms); ${result.received.toLocaleString('en-US')} of ${result.sent.toLocaleString('en-US')} records received; ` +
        `sent at ${formatRate(result.sent / result.seconds)} records/s, at most ${result.maxBehindMs.toFixed(1)} ms behind the schedule; ` +
        `event-loop delay p99 ${result.loopDelayP99Ms.toFixed(1)} ms, max ${result.loopDelayMaxMs.toFixed(1)} ms`,
    );
    keepNotes(out, 'e2e', client, result);
  }
  for (const [client, result] of results) {
    const name = `${LABELS[client]} (node ${context.nodeFor(client).version})`;
    out.figures.push(
      { name: `${name} p50`, value: result.p50Ms, unit: 'ms' },
      { name: `${name} p99`, value: result.p99Ms, unit: 'ms', ...(client === 'kstream' ? { target: { atMost: P99_TARGET_MS } } : {}) },
      { name: `${name} p99.9`, value: result.p999Ms, unit: 'ms' },
    );
  }
  return out;
}
