// kafkajs 2.x's transactional producer as the benchmark drives it: logging
// off, the Java-compatible DefaultPartitioner, idempotent with one request in
// flight (kafkajs requires both for a transactionalId); producer.transaction()
// -> transaction.send({ topic, messages }) -> commit().
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type { TxnDriver } from './txn-driver.js';

export function kafkajsTxnDriver(): TxnDriver {
  return {
    description:
      'kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 }) with the DefaultPartitioner; producer.transaction(), transaction.send({ topic, messages }), transaction.commit()',
    async producer({ bootstrap, transactionalId }) {
      const kafka = new Kafka({ clientId: 'bench-eos', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
      const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      return {
        async begin() {
          const transaction = await producer.transaction();
          return {
            async send(topic, values) {
              const sent = await transaction.send({ topic, messages: values.map((value) => ({ value })) });
              return { records: values.length, partitions: [...new Set(sent.map((m) => m.partition))] };
            },
            commit: () => transaction.commit(),
          };
        },
        close: () => producer.disconnect(),
      };
    },
  };
}
