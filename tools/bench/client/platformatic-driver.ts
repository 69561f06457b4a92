// @platformatic/kafka as the benchmark drives it: its defaults (Buffer
// values, round-robin partitions for unkeyed records), consumers in a group
// with autocommit off, reading through its message stream.
import { Consumer, Producer } from '@platformatic/kafka';
import type { ClientDriver } from './driver.js';

export function platformaticDriver(): ClientDriver {
  return {
    description: "producer.send({ messages, acks }); consumer.consume({ mode, autocommit: false }) in a new group, its stream's 'data' events",
    notes: [],
    async producer({ bootstrap, acks, idempotent }) {
      const producer = new Producer({ clientId: 'bench-client', bootstrapBrokers: bootstrap.split(','), acks, idempotent, autocreateTopics: false });
      return {
        async send(topic, values) {
          // acks goes with each send: send() defaults it to 1 (all when idempotent) whatever the constructor was given.
          await producer.send({ messages: values.map((value) => ({ topic, value })), acks });
          return values.length;
        },
        idempotent: null,
        close: () => producer.close(),
      };
    },
    async consumer({ bootstrap, topic, from, groupId, onRecord, onError }) {
      const consumer = new Consumer({ clientId: 'bench-client', groupId, bootstrapBrokers: bootstrap.split(',') });
      const stream = await consumer.consume({ topics: [topic], mode: from, autocommit: false });
      stream.on('data', (message) => onRecord(message.value));
      stream.on('error', onError);
      return {
        async close() {
          await stream.close();
          await consumer.close();
        },
      };
    },
  };
}
