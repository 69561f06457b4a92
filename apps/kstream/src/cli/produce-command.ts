// `kstream produce <topic>`: kafka-console-producer's flags (the sending is
// in produce-records.ts).
import { Command, Option } from 'commander';
import { connectionOf } from './connection-options.js';
import { examples } from './help-examples.js';
import { acks, integer, keyValue } from './option-parsers.js';
import type { ProduceOptions } from './produce-records.js';

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
    .action(async (topic: string, options: ProduceOptions, command: Command) => (await import('./produce-records.js')).produceRecords(topic, options, connectionOf(command)));
}
