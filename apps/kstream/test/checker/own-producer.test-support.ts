// The protocol-level producer of the fault run: raw Produce v9 with acks=-1,
// one request in flight per partition per producer (so the order of its
// acknowledgements is the order of its offsets), each with a deadline.
// It sends to the leader Metadata named, and asks Metadata again after
// any error, timeout or lost connection. Every attempt carries a new value:
// a retry is a new record, never a resend.
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeRecordBatch, Produce } from '@kstream/protocol';
import { errorName } from '../raw-connection.test-support.js';
import { PRODUCE_VERSION } from '../raw-requests.test-support.js';
import type { HistoryRecorder, ProduceOutcome } from './history.test-support.js';
import type { ConnectionPool, LeaderDirectory } from './raw-cluster.test-support.js';
import { within } from './raw-cluster.test-support.js';
import { keysByPartition, outcomeOfError, type Workload } from './workload.test-support.js';

export interface OwnProducerOptions {
  readonly name: string;
  readonly partitions: number;
  /** Produce's timeoutMs: how long the leader may wait for the ISR. */
  readonly produceTimeoutMs: number;
  /** The client's own deadline for an answer, past which the connection is dropped and the outcome is indeterminate. */
  readonly requestTimeoutMs: number;
  /** How long a lane waits after each acknowledged send (default 0): a slower stream, for workloads whose check grows with every record. */
  readonly pauseMs?: number;
}

export function startOwnProducer(options: OwnProducerOptions, pool: ConnectionPool, leaders: LeaderDirectory, history: HistoryRecorder): Workload {
  let stopped = false;
  let sequence = 0;
  const keys = keysByPartition(options.partitions);

  async function lane(partition: number): Promise<void> {
    for (let n = 0; !stopped; n++) {
      const leader = leaders.leader(partition);
      const conn = leader === undefined ? undefined : await pool.get(leader).catch(() => undefined);
      if (leader === undefined || conn === undefined) {
        await leaders.refresh();
        await sleep(50);
        continue;
      }
      const key = keys[partition]![n % keys[partition]!.length]!;
      const value = `${options.name}-${sequence++}`;
      const records = await encodeRecordBatch({ records: [{ key: Buffer.from(key), value: Buffer.from(value) }] });
      const invokedAt = history.now();
      let outcome: ProduceOutcome;
      try {
        const response = await within(
          conn.request(Produce, PRODUCE_VERSION, {
            transactionalId: null,
            acks: -1,
            timeoutMs: options.produceTimeoutMs,
            topicData: [{ name: leaders.topic, partitionData: [{ index: partition, records }] }],
          }),
          options.requestTimeoutMs,
          `Produce to broker ${leader}`,
        );
        const answer = response.responses[0]?.partitionResponses[0];
        if (answer === undefined) throw new Error(`Produce to broker ${leader}: no answer for partition ${partition}`);
        outcome = answer.errorCode === 0 ? { kind: 'ok', offset: answer.baseOffset } : outcomeOfError(errorName(answer.errorCode));
      } catch (error) {
        pool.drop(leader);
        outcome = { kind: 'indeterminate', error: (error as Error).message };
      }
      history.produces.push({ producer: options.name, client: 'own', partition, key, value, invokedAt, completedAt: history.now(), outcome });
      if (outcome.kind !== 'ok') {
        await leaders.refresh();
        await sleep(20);
      } else if (options.pauseMs !== undefined) {
        await sleep(options.pauseMs);
      }
    }
  }

  const lanes = Array.from({ length: options.partitions }, (_, p) => lane(p));
  return {
    async stop() {
      stopped = true;
      await Promise.all(lanes);
    },
  };
}
