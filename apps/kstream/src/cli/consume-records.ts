// `kstream consume <topic>`: kafka-console-consumer. With --group it joins
// the group (or, with --partition, reads that partition and commits to the
// group); without, it reads every partition (or the one) outside any group.
// It stops after --max-messages, after --timeout-ms without a record, or at
// Ctrl-C — each time closing the consumer, which commits what was printed.
import { once } from 'node:events';
import { Consumer } from '@kstream/client';
import type { IsolationLevel, TopicPartition } from '@kstream/client';
import { CommandError, UsageError } from './cli-errors.js';
import { clientOptions, partitionsOf, withAdmin } from './cluster-connection.js';
import type { ConnectionOptions } from './connection-options.js';
import { onInterrupt } from './interrupt.js';
import { formatRecord } from './record-format.js';
import type { RecordFormat } from './record-format.js';

export interface ConsumeOptions {
  group?: string;
  fromBeginning?: boolean;
  offset?: string;
  partition?: number;
  maxMessages?: number;
  timeoutMs?: number;
  format: RecordFormat;
  keySeparator: string;
  isolation: IsolationLevel;
}

export async function consumeRecords(topic: string, options: ConsumeOptions, connection: ConnectionOptions): Promise<void> {
  const start = startOffset(options);
  const partitions = await withAdmin(connection, (admin) => partitionsOf(admin, topic));
  if (options.partition !== undefined && !partitions.includes(options.partition)) {
    throw new CommandError(`topic ${topic} has ${partitions.length} partitions: --partition ${options.partition} does not exist`);
  }
  const consumer = new Consumer({
    ...clientOptions(connection),
    ...(options.group === undefined ? {} : { groupId: options.group }),
    autoOffsetReset: options.fromBeginning === true ? 'earliest' : 'latest',
    isolationLevel: options.isolation,
  });
  if (options.group !== undefined && options.partition === undefined) {
    consumer.subscribe([topic]);
  } else {
    const assigned: TopicPartition[] = (options.partition === undefined ? partitions : [options.partition]).map((partition) => ({ topic, partition }));
    consumer.assign(assigned);
    if (start !== undefined) consumer.seek(assigned[0]!, start);
  }
  const printed = await printRecords(consumer, options);
  process.stderr.write(`Processed a total of ${printed} ${printed === 1 ? 'message' : 'messages'}\n`);
}

/** --offset's start, checked against the other flags. */
function startOffset(options: ConsumeOptions): bigint | 'earliest' | 'latest' | undefined {
  if (options.offset === undefined) return undefined;
  if (options.partition === undefined) throw new UsageError('consume: --offset needs --partition (an offset is a position in one partition)');
  if (options.fromBeginning === true) throw new UsageError('consume: --offset and --from-beginning exclude each other');
  if (options.offset === 'earliest' || options.offset === 'latest') return options.offset;
  if (!/^\d+$/.test(options.offset)) throw new UsageError(`consume: --offset ${JSON.stringify(options.offset)} is not an offset (an integer from 0, earliest or latest)`);
  return BigInt(options.offset);
}

/** Prints records until a limit or a signal stops the consumer; resolves, once it is closed, with how many were printed. */
async function printRecords(consumer: Consumer, options: ConsumeOptions): Promise<number> {
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= consumer.close());
  const removeHandlers = onInterrupt(() => void close());
  // Output piped to `head` that has had enough: stop as if interrupted.
  const onStdoutError = () => void close();
  process.stdout.on('error', onStdoutError);
  let idle: NodeJS.Timeout | undefined;
  const armIdleTimer = () => {
    if (options.timeoutMs === undefined) return;
    clearTimeout(idle);
    idle = setTimeout(() => void close(), options.timeoutMs);
  };
  let printed = 0;
  try {
    armIdleTimer();
    for await (const record of consumer.records()) {
      armIdleTimer();
      printed++;
      if (!process.stdout.write(`${formatRecord(record, options.format, options.keySeparator)}\n`))
        await Promise.race([once(process.stdout, 'drain'), once(process.stdout, 'error')]);
      if (options.maxMessages !== undefined && printed >= options.maxMessages) break;
    }
  } finally {
    clearTimeout(idle);
    await close();
    removeHandlers();
    process.stdout.off('error', onStdoutError);
  }
  return printed;
}
