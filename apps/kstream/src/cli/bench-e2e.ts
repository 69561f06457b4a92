// `kstream bench e2e`: Kafka's EndToEndLatency tool. Sends one record at a
// time to partition 0 and waits until a consumer of that partition reads it
// back; the time between is the record's end-to-end latency. Prints the
// average and the 50th, 95th, 99th and 99.9th percentiles, as Kafka's tool.
import { randomBytes } from 'node:crypto';
import { Consumer, Producer } from '@kstream/client';
import type { ConnectionOptions } from './connection-options.js';
import { clientOptions, partitionsOf, withAdmin } from './cluster-connection.js';
import { CommandError } from './cli-errors.js';
import { LatencyRecorder } from './bench-latency.js';
import { printJson, writeLine } from './output.js';
import { ProgressLine } from './progress-line.js';

export interface E2eBenchOptions {
  topic: string;
  numRecords: number;
  recordSize: number;
  acks: 0 | 1 | -1;
  json?: boolean;
}

export async function benchE2e(connection: ConnectionOptions, options: E2eBenchOptions): Promise<void> {
  const partition = { topic: options.topic, partition: 0 };
  // Reading from the end offset as it is before the first send: every record read back is one this run sent.
  const [end] = await withAdmin(connection, async (admin) => {
    await partitionsOf(admin, options.topic);
    return admin.listOffsets([{ ...partition, spec: 'latest' }]);
  });
  const producer = new Producer({ ...clientOptions(connection), acks: options.acks, lingerMs: 0 });
  const consumer = new Consumer({ ...clientOptions(connection), fetchMaxWaitMs: 100 });
  consumer.assign([partition]);
  consumer.seek(partition, end!.offset);
  const latencies = new LatencyRecorder(options.numRecords);
  const progress = new ProgressLine(() => `${latencies.count} of ${options.numRecords} records round-tripped`);
  try {
    await Promise.all([producer.connect(), consumer.connect()]);
    const records = consumer.records()[Symbol.asyncIterator]();
    for (let i = 0; i < options.numRecords; i++) {
      const payload = randomBytes(options.recordSize);
      const sentAt = performance.now();
      await producer.send({ ...partition, value: payload });
      const next = await records.next();
      if (next.done === true) throw new CommandError('bench e2e: the consumer stopped before reading every record back');
      if (!payload.equals(next.value.value ?? Buffer.alloc(0))) {
        throw new CommandError(`bench e2e: read back a different record at offset ${next.value.offset} than the one sent`);
      }
      latencies.record(performance.now() - sentAt);
    }
    await records.return?.();
  } finally {
    progress.stop();
    await Promise.all([producer.close(), consumer.close()]);
  }
  const latency = latencies.summary();
  if (options.json === true) {
    printJson({ records: latency.count, recordSize: options.recordSize, latencyMs: latency });
    return;
  }
  writeLine(`Avg latency: ${latency.avgMs.toFixed(4)} ms`);
  writeLine(`Percentiles: 50th = ${Math.floor(latency.p50Ms)}, 95th = ${Math.floor(latency.p95Ms)}, 99th = ${Math.floor(latency.p99Ms)}, 99.9th = ${Math.floor(latency.p999Ms)}`);
}
