// @kstream/client's transactional producer as the benchmark drives it:
// Kafka's defaults (acks all, idempotent, lingerMs 5) and a transactional id;
// producer.transaction() -> transaction.send(records[]) -> commit().
import { Producer } from '@kstream/client';
import type { TxnDriver } from './txn-driver.js';

export function kstreamTxnDriver(): TxnDriver {
  return {
    description: 'new Producer({ transactionalId }), Kafka defaults otherwise; producer.transaction(), transaction.send(records[]), transaction.commit()',
    async producer({ bootstrap, transactionalId }) {
      const producer = new Producer({ bootstrap, clientId: 'bench-eos', transactionalId });
      await producer.connect();
      return {
        async begin() {
          const transaction = await producer.transaction();
          return {
            async send(topic, values) {
              const sent = await transaction.send(values.map((value) => ({ topic, value })));
              return { records: sent.length, partitions: [...new Set(sent.map((m) => m.partition))] };
            },
            commit: () => transaction.commit(),
          };
        },
        close: () => producer.close(),
      };
    },
  };
}
