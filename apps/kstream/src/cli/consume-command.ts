// `kstream consume <topic>`: kafka-console-consumer's flags (the reading is in
// consume-records.ts).
import { Command, Option } from 'commander';
import { connectionOf } from './connection-options.js';
import type { ConsumeOptions } from './consume-records.js';
import { examples } from './help-examples.js';
import { integer } from './option-parsers.js';
import { RECORD_FORMATS } from './record-format.js';

export function consumeCommand(): Command {
  return new Command('consume')
    .description('print the records of a topic, one per line')
    .argument('<topic>')
    .option('-g, --group <id>', 'consume as a member of this group, committing offsets')
    .option('--from-beginning', 'start at the earliest offset where nothing is committed (default: the latest)')
    .option('-o, --offset <offset>', 'start the --partition at this offset, or earliest or latest')
    .option('-p, --partition <n>', 'read only this partition', integer(0))
    .option('-n, --max-messages <n>', 'exit after printing this many records', integer(1))
    .option('--timeout-ms <ms>', 'exit after this long without a record', integer(1))
    .addOption(new Option('-F, --format <format>', 'value, key-value, or json with topic/partition/offset/timestamp/key/value/headers').choices(RECORD_FORMATS).default('value'))
    .option('-k, --key-separator <sep>', 'between key and value in --format key-value', '\t')
    .addOption(new Option('--isolation <level>', 'read_committed hides aborted and open transactions').choices(['read_uncommitted', 'read_committed']).default('read_uncommitted'))
    .addHelpText(
      'after',
      examples([
        'kstream consume orders --from-beginning',
        'kstream consume orders --group billing --format json',
        'kstream consume orders --partition 2 --offset 100 --max-messages 10 --format key-value',
      ]),
    )
    .action(async (topic: string, options: ConsumeOptions, command: Command) => (await import('./consume-records.js')).consumeRecords(topic, options, connectionOf(command)));
}
