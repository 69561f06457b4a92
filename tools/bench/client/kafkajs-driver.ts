// kafkajs 2.x as the benchmark drives it: its defaults, logging off, the
// Java-compatible DefaultPartitioner, consumers in a group with auto-commit
// off (the other clients commit nothing either).
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type { ClientDriver } from './driver.js';

export function kafkajsDriver(): ClientDriver {
  const kafka = (bootstrap: string) => new Kafka({ clientId: 'bench-client', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  return {
    description:
      'producer.send({ topic, acks, messages }) with the DefaultPartitioner (idempotent: maxInFlightRequests 1); consumer.run({ eachBatch, autoCommit: false }) in a new group',
    notes: [],
    async producer({ bootstrap, acks, idempotent }) {
      // kafkajs's idempotent producer allows one request in flight only.
      const producer = kafka(bootstrap).producer({
        idempotent,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        ...(idempotent ? { maxInFlightRequests: 1 } : {}),
      });
      await producer.connect();
      return {
        async send(topic, values) {
          await producer.send({ topic, acks, messages: values.map((value) => ({ value })) });
          return values.length;
        },
        idempotent: null,
        close: () => producer.disconnect(),
      };
    },
    async consumer({ bootstrap, topic, from, groupId, onRecord, onError }) {
      const consumer = kafka(bootstrap).consumer({ groupId, allowAutoTopicCreation: false });
      consumer.on(consumer.events.CRASH, ({ payload }) => onError(payload.error));
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: from === 'earliest' });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) onRecord(message.value!);
        },
      });
      return { close: () => consumer.disconnect() };
    },
  };
}
