// `kstream produce <topic>`: kafka-console-producer. Each line of stdin (or
// --file) becomes a record; sends are pipelined (the producer batches them)
// and the command exits once every record is acknowledged, or at the first
// failure with its error.
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Command, Option } from 'commander';
import { Producer, stringSerde } from '@kstream/client';
import type { CompressionName, RecordMetadata } from '@kstream/client';
import { CommandError, UsageError } from './cli-errors.js';
import { clientOptions, connectionOf, partitionsOf, withAdmin } from './cluster-connection.js';
import { examples } from './help-examples.js';
import { acks, integer, keyValue } from './option-parsers.js';
import { parseInputLine } from './produce-input.js';

/** Sends awaited before reading more input: bounds the memory a large file takes. */
const MAX_PENDING_SENDS = 10_000;

interface ProduceOptions {
  file?: string;
  keySeparator?: string;
  header?: Record<string, string>;
  partition?: number;
  acks: 0 | 1 | -1;
  compression: CompressionName;
  lingerMs: number;
  json?: boolean;
}

export function produceCommand(): Command {
  return new Command('produce')
    .description('send each line of stdin (or a file) as a record')
    .argument('<topic>')
    .option('-f, --file <path>', 'read lines from this file instead of stdin')
    .option('-k, --key-separator <sep>', 'each line is key<sep>value (split at the first <sep>)')
    .option('-H, --header <key=value>', 'a header on every record, repeatable', keyValue)
    .option('-p, --partition <n>', 'send every record to this partition (default: by key, sticky without one)', integer(0))
    .option('-a, --acks <acks>', '0, 1 or all (-1)', acks, -1)
    .addOption(new Option('-z, --compression <codec>', 'compression of record batches').choices(['none', 'gzip', 'snappy', 'lz4', 'zstd']).default('none'))
    .option('--linger-ms <ms>', 'how long a batch waits for more records', integer(0), 5)
    .option('--json', 'each line is a JSON object: {"key", "value", "headers", "partition"}')
    .addHelpText(
      'after',
      examples([
        'echo hello | kstream produce orders',
        "printf 'customer-42:pizza\\n' | kstream produce orders --key-separator : --header source=shop",
        'kstream produce orders --file orders.txt --acks 1 --compression zstd',
        'echo \'{"key":"k1","value":{"sku":7},"headers":{"h":"v"}}\' | kstream produce orders --json',
      ]),
    )
    .action(async (topic: string, options: ProduceOptions, command: Command) => {
      if (options.json === true && options.keySeparator !== undefined) throw new UsageError('produce: --json and --key-separator exclude each other (JSON lines carry their key)');
      const connection = connectionOf(command);
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
    });
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
