// `kstream bench consume`: kafka-consumer-perf-test. Reads --messages
// records from the start of every partition (or as a member of --group) and
// prints Kafka's CSV: a header line and one line of figures. It stops early,
// with what it read, after --timeout ms without a record.
import { Consumer } from '@kstream/client';
import type { ConnectionOptions } from './connection-options.js';
import { clientOptions, partitionsOf, withAdmin } from './cluster-connection.js';
import { rates } from './bench-latency.js';
import { printJson, writeLine } from './output.js';
import { ProgressLine } from './progress-line.js';

export interface ConsumeBenchOptions {
  topic: string;
  messages: number;
  group?: string;
  timeout: number;
  json?: boolean;
}

const HEADER = 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';

export async function benchConsume(connection: ConnectionOptions, options: ConsumeBenchOptions): Promise<void> {
  const partitions = await withAdmin(connection, (admin) => partitionsOf(admin, options.topic));
  const startTime = Date.now();
  const started = performance.now();
  let assignedAt: number | undefined;
  const consumer = new Consumer({
    ...clientOptions(connection),
    autoOffsetReset: 'earliest',
    ...(options.group === undefined ? {} : { groupId: options.group, rebalanceListener: { onAssigned: () => void (assignedAt ??= performance.now()) } }),
  });
  if (options.group === undefined) consumer.assign(partitions.map((partition) => ({ topic: options.topic, partition })));
  else consumer.subscribe([options.topic]);
  let records = 0;
  let bytes = 0;
  const progress = new ProgressLine(() => `${records} of ${options.messages} records read`);
  let idle: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= consumer.close());
  const armIdleTimer = () => {
    clearTimeout(idle);
    idle = setTimeout(() => void close(), options.timeout);
  };
  try {
    armIdleTimer();
    for await (const batch of consumer) {
      armIdleTimer();
      for (const record of batch.records) {
        bytes += (record.key?.length ?? 0) + (record.value?.length ?? 0);
        if (++records >= options.messages) break;
      }
      if (records >= options.messages) break;
    }
  } finally {
    clearTimeout(idle);
    progress.stop();
    await close();
  }
  const endTime = Date.now();
  const elapsedMs = performance.now() - started;
  const rebalanceMs = assignedAt === undefined ? 0 : assignedAt - started;
  const total = rates(records, bytes, elapsedMs);
  const fetch = rates(records, bytes, elapsedMs - rebalanceMs);
  const mb = bytes / (1024 * 1024);
  if (options.json === true) {
    printJson({
      startTime,
      endTime,
      mbConsumed: mb,
      mbPerSec: total.mbPerSec,
      records,
      recordsPerSec: total.recordsPerSec,
      rebalanceMs,
      fetchMs: elapsedMs - rebalanceMs,
      fetchMbPerSec: fetch.mbPerSec,
      fetchRecordsPerSec: fetch.recordsPerSec,
    });
    return;
  }
  writeLine(HEADER);
  writeLine(
    [
      timeText(startTime),
      timeText(endTime),
      mb.toFixed(4),
      total.mbPerSec.toFixed(4),
      records,
      total.recordsPerSec.toFixed(4),
      Math.round(rebalanceMs),
      Math.round(elapsedMs - rebalanceMs),
      fetch.mbPerSec.toFixed(4),
      fetch.recordsPerSec.toFixed(4),
    ].join(', '),
  );
}

/** Kafka's tool's "yyyy-MM-dd HH:mm:ss:SSS", in UTC. */
function timeText(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}:${iso.slice(20, 23)}`;
}
