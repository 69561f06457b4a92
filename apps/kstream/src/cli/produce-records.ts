// `kstream produce <topic>`: kafka-console-producer. Each line of stdin (or
// --file) becomes a record; sends are pipelined (the producer batches them)
// and the command exits once every record is acknowledged, or at the first
// failure with its error.
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Producer, stringSerde } from '@kstream/client';
import type { CompressionName, RecordMetadata } from '@kstream/client';
import { CommandError, UsageError } from './cli-errors.js';
import { clientOptions, partitionsOf, withAdmin } from './cluster-connection.js';
import type { ConnectionOptions } from './connection-options.js';
import { parseInputLine } from './produce-input.js';

/** Sends awaited before reading more input: bounds the memory a large file takes. */
const MAX_PENDING_SENDS = 10_000;

export interface ProduceOptions {
  file?: string;
  keySeparator?: string;
  header?: Record<string, string>;
  partition?: number;
  acks: 0 | 1 | -1;
  compression: CompressionName;
  lingerMs: number;
  json?: boolean;
}

export async function produceRecords(topic: string, options: ProduceOptions, connection: ConnectionOptions): Promise<void> {
  if (options.json === true && options.keySeparator !== undefined) throw new UsageError('produce: --json and --key-separator exclude each other (JSON lines carry their key)');
  const partitionCount = (await withAdmin(connection, (admin) => partitionsOf(admin, topic))).length;
  if (options.partition !== undefined && options.partition >= partitionCount) {
    throw new CommandError(`topic ${topic} has ${partitionCount} partitions: --partition ${options.partition} does not exist`);
  }
  const producer = new Producer({
    ...clientOptions(connection),
    acks: options.acks,
    compression: options.compression,
    lingerMs: options.lingerMs,
    deliveryTimeoutMs: options.lingerMs + connection.requestTimeout,
    keySerializer: stringSerde,
    valueSerializer: stringSerde,
  });
  try {
    const sent = await sendLines(producer, topic, options, partitionCount);
    process.stderr.write(`${sent} ${sent === 1 ? 'record' : 'records'} sent to ${topic}\n`);
  } finally {
    await producer.close();
  }
}

async function sendLines(producer: Producer<string, string>, topic: string, options: ProduceOptions, partitionCount: number): Promise<number> {
  const input = options.file === undefined ? process.stdin : await openFile(options.file);
  const lines = createInterface({ input, crlfDelay: Infinity });
  const pending = new Set<Promise<RecordMetadata>>();
  let failure: unknown;
  let lineNumber = 0;
  let sent = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '' && (options.json === true || line === '')) continue;
    const record = parseInputLine(line, lineNumber, { json: options.json === true, ...(options.keySeparator === undefined ? {} : { keySeparator: options.keySeparator }) });
    const partition = record.partition ?? options.partition;
    if (partition !== undefined && partition >= partitionCount) {
      throw new CommandError(`line ${lineNumber}: topic ${topic} has ${partitionCount} partitions: partition ${partition} does not exist`);
    }
    const send = producer.send({
      topic,
      key: record.key,
      value: record.value,
      headers: { ...options.header, ...record.headers },
      ...(partition === undefined ? {} : { partition }),
    });
    sent++;
    pending.add(send);
    send.then(
      () => pending.delete(send),
      (error: unknown) => {
        pending.delete(send);
        failure ??= error;
      },
    );
    if (failure !== undefined) throw failure;
    if (pending.size >= MAX_PENDING_SENDS) await Promise.race(pending).catch(() => undefined);
  }
  await Promise.allSettled(pending);
  if (failure !== undefined) throw failure;
  return sent;
}

/** The file's stream, once it is open: a missing or unreadable file fails here, with its path. */
async function openFile(path: string): Promise<NodeJS.ReadableStream> {
  try {
    const handle = await open(path);
    return handle.createReadStream();
  } catch (error) {
    throw new CommandError(`--file ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}
