// @kstream/client as the benchmark drives it: Kafka's defaults except acks
// (and linger 0 for the latency run); the consumer joins a new group, as the
// other clients' do, with auto-commit off, and reads batches with
// `for await`.
import { Consumer, Producer, type ClientLogger } from '@kstream/client';
import type { ClientDriver } from './driver.js';

const NOTED_WARNINGS = 5;

export function kstreamDriver(): ClientDriver {
  const notes: string[] = [];
  // The client's warnings (e.g. idempotence falling back to off) belong in the report, not among the figures.
  const log = (message: string, fields?: object) => {
    const line = `warned: ${message}${fields === undefined ? '' : ` ${JSON.stringify(fields)}`}`;
    if (notes.length < NOTED_WARNINGS && !notes.includes(line)) notes.push(line);
  };
  const logger: ClientLogger = { debug() {}, info() {}, warn: log, error: log };
  return {
    description:
      'producer.send(records[]), Kafka defaults but acks (lingerMs 0 for the latency run); consumer.subscribe() in a new group, autoOffsetReset, enableAutoCommit false, for await (const batch of consumer)',
    notes,
    async producer({ bootstrap, acks, idempotent, lowLatency }) {
      const producer = new Producer({ bootstrap, clientId: 'bench-client', logger, acks: acks === -1 ? 'all' : 1, idempotent, ...(lowLatency ? { lingerMs: 0 } : {}) });
      await producer.connect();
      notes.push(`producer: acks=${acks === -1 ? 'all' : acks}, idempotent asked ${idempotent}, running ${producer.idempotent}${lowLatency ? ', lingerMs 0' : ''}`);
      return {
        async send(topic, values) {
          const sent = await producer.send(values.map((value) => ({ topic, value })));
          return sent.length;
        },
        idempotent: producer.idempotent,
        close: () => producer.close(),
      };
    },
    async consumer({ bootstrap, topic, from, groupId, onRecord, onError }) {
      const consumer = new Consumer({ bootstrap, clientId: 'bench-client', logger, groupId, autoOffsetReset: from, enableAutoCommit: false });
      await consumer.connect();
      consumer.subscribe([topic]);
      const reading = (async () => {
        for await (const batch of consumer) {
          for (const record of batch.records) onRecord(record.value!);
        }
      })();
      reading.catch(onError);
      return {
        async close() {
          await consumer.close();
          await reading.catch(() => {});
        },
      };
    },
  };
}
