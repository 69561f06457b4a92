// kafkajs 2.x's transactional producer as the benchmark drives it: logging
// off, idempotent with one request in flight (kafkajs requires both for a
// transactionalId); producer.transaction() -> transaction.send({ topic,
// messages }) -> commit(). Each send() call's records go to one partition,
// the next call's to the next: kafkajs sends AddPartitionsToTxn to the
// coordinator once per leader at the same time, the coordinator answers all
// but one CONCURRENT_TRANSACTIONS (as Kafka's does), and kafkajs's retry of
// the send partitions unkeyed records again with its round-robin
// partitioner, so records the first attempt appended on one broker are
// appended again on another and others never are (seen as the high
// watermarks' mismatch). A partition per call keeps the retry's records
// where the first attempt put them, and is what ours' sticky partitioner
// does with a send of up to a batch's worth.
import { Kafka, logLevel } from 'kafkajs';
import type { TxnDriver } from './txn-driver.js';

export function kafkajsTxnDriver(): TxnDriver {
  return {
    description:
      'kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 }); producer.transaction(), transaction.send({ topic, messages }) with every message of a call given the same partition (the next call the next partition), transaction.commit()',
    async producer({ bootstrap, transactionalId, partitions }) {
      const kafka = new Kafka({ clientId: 'bench-eos', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
      const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await producer.connect();
      let nextPartition = 0;
      return {
        async begin() {
          const transaction = await producer.transaction();
          return {
            async send(topic, values) {
              const partition = nextPartition++ % partitions;
              await transaction.send({ topic, messages: values.map((value) => ({ value, partition })) });
              return { records: values.length, partitions: [partition] };
            },
            commit: () => transaction.commit(),
          };
        },
        close: () => producer.disconnect(),
      };
    },
  };
}
