// Figure 3: failover. AcksAllProducer sends acks=all continuously to one RF 3
// partition with min.insync.replicas=2; each round crashes the partition's
// leader (control.crashBroker) and times from the crash call to the first
// acknowledgement from another broker, then waits until the crashed broker
// (restarted by the node's supervisor) is back in the ISR. Baseline: the
// producer's acks=all round trip with no fault, measured on the same
// partition before the first crash.
import type { Figure } from '../harness.js';
import { median } from '../harness.js';
import { AcksAllProducer, RETRY_BACKOFF_MS } from './acks-all-producer.js';
import { createTopic, deleteTopic, type BenchContext } from './bench-context.js';

const TOPIC = 'failover';
const REPLICAS = 3;
export const TARGET_MEDIAN_MS = 1_000;
export const TARGET_MAX_MS = 3_000;
const REJOIN_TIMEOUT_MS = 120_000;
const STEADY_ACKS = 200;
/** Far past the targets: a round that waits this long is an error, not a slow failover. */
const ACK_TIMEOUT_MS = 30_000;

export async function failoverFigures(bench: BenchContext, rounds: number): Promise<Figure[]> {
  console.log(
    `\nfailover: ${rounds} leader crashes under a protocol-level acks=all producer (Produce v11, one request at a time, ` +
      `${RETRY_BACKOFF_MS} ms backoff, follows KIP-951's current leader) on ${TOPIC}-0, RF ${REPLICAS}, min.insync.replicas=2;\n` +
      `  protocol-level so the time is the brokers' and the controller's, not a client's backoff (kafkajs waits 300 ms, randomized, doubling)`,
  );
  await createTopic(bench, { topic: TOPIC, partitions: 1, replicationFactor: REPLICAS, configs: { 'min.insync.replicas': '2' } });
  const producer = new AcksAllProducer(bench.client, TOPIC, 0);
  producer.start();
  const failovers: number[] = [];
  let roundTrip: number;
  try {
    let last = await producer.nextAck('at the start', ACK_TIMEOUT_MS);
    const gaps: number[] = [];
    for (let i = 0; i < STEADY_ACKS; i++) {
      const next = await producer.nextAck('with no fault', ACK_TIMEOUT_MS);
      gaps.push(next.at - last.at);
      last = next;
    }
    roundTrip = median(gaps);
    for (let round = 0; round < rounds; round++) {
      const { leaderId } = await bench.client.waitFor(
        TOPIC,
        0,
        `a leader and ${REPLICAS} in-sync replicas`,
        (v) => v.leaderId >= 0 && v.isr.length === REPLICAS,
        REJOIN_TIMEOUT_MS,
      );
      await producer.nextAck(`from leader ${leaderId} before the crash`, ACK_TIMEOUT_MS, (ack) => ack.brokerId === leaderId);
      const fromNewLeader = producer.nextAck(`from a new leader after crashing broker ${leaderId}`, ACK_TIMEOUT_MS, (ack) => ack.brokerId !== leaderId);
      fromNewLeader.catch(() => {});
      const crashedAt = performance.now();
      await bench.cluster.control.crashBroker(leaderId);
      const fencedMs = performance.now() - crashedAt;
      const ack = await fromNewLeader;
      const ms = ack.at - crashedAt;
      failovers.push(ms);
      const rejoined = await bench.client.waitFor(TOPIC, 0, `broker ${leaderId} back in the ISR`, (v) => v.isr.includes(leaderId), REJOIN_TIMEOUT_MS);
      const rejoinMs = performance.now() - crashedAt;
      console.log(
        `  round ${round + 1}: crashed leader ${leaderId} (exited and fenced after ${fencedMs.toFixed(0)} ms); ` +
          `first ack from broker ${ack.brokerId} (offset ${ack.offset}) after ${ms.toFixed(0)} ms; ` +
          `broker ${leaderId} back in the ISR after ${(rejoinMs / 1000).toFixed(2)} s (leader ${rejoined.leaderId}, epoch ${rejoined.leaderEpoch})`,
      );
    }
  } finally {
    await producer.stop();
  }
  console.log(`  ${producer.acks} acks; failed attempts: ${producer.failureSummary()}`);
  await deleteTopic(bench, TOPIC);
  const baseline = { name: 'acks=all round trip, no fault', value: roundTrip };
  return [
    { name: `leader crash -> first ack, median of ${rounds}`, value: median(failovers), unit: 'ms', baseline, target: { atMost: TARGET_MEDIAN_MS } },
    { name: `leader crash -> first ack, max of ${rounds}`, value: Math.max(...failovers), unit: 'ms', baseline, target: { atMost: TARGET_MAX_MS } },
  ];
}
