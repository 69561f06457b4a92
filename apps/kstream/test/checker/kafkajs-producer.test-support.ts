// The fault run's kafkajs producers: acks=-1, one message per send, so each
// acknowledgement carries its record's offset, one send in flight per
// partition per producer. kafkajs retries a failed send itself with the same
// value, so its values may be stored twice (the checker counts those), and
// any error it ends with is indeterminate: an earlier try of it may have
// been appended.
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import type { HistoryRecorder, ProduceOutcome } from './history.test-support.js';
import { keysByPartition, type Workload } from './workload.test-support.js';

// kafkajs 2 prints a notice about its v1 partitioner on every producer; partitions are given explicitly here.
process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';

export interface KafkajsProducerOptions {
  readonly name: string;
  readonly bootstrap: string;
  readonly topic: string;
  readonly partitions: number;
  readonly produceTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

export async function startKafkajsProducer(options: KafkajsProducerOptions, history: HistoryRecorder): Promise<Workload> {
  const kafka = new Kafka({
    clientId: options.name,
    brokers: options.bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: options.requestTimeoutMs,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let stopped = false;
  let sequence = 0;
  const keys = keysByPartition(options.partitions);

  async function lane(partition: number): Promise<void> {
    for (let n = 0; !stopped; n++) {
      const key = keys[partition]![n % keys[partition]!.length]!;
      const value = `${options.name}-${sequence++}`;
      const invokedAt = history.now();
      let outcome: ProduceOutcome;
      try {
        const answers = await producer.send({ topic: options.topic, acks: -1, timeout: options.produceTimeoutMs, messages: [{ key, value, partition }] });
        const answer = answers[0];
        if (answer === undefined || answer.baseOffset === undefined) throw new Error(`kafkajs send to partition ${partition}: no offset in the answer ${JSON.stringify(answers)}`);
        outcome = { kind: 'ok', offset: BigInt(answer.baseOffset) };
      } catch (error) {
        outcome = { kind: 'indeterminate', error: `${(error as Error).name}: ${(error as Error).message}` };
      }
      history.produces.push({ producer: options.name, client: 'kafkajs', partition, key, value, invokedAt, completedAt: history.now(), outcome });
      if (outcome.kind !== 'ok') await sleep(50);
    }
  }

  const lanes = Array.from({ length: options.partitions }, (_, p) => lane(p));
  return {
    async stop() {
      stopped = true;
      await Promise.all(lanes);
      await producer.disconnect();
    },
  };
}
