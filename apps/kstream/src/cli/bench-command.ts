// `kstream bench produce|consume|e2e`: Kafka's perf tools' parameters and
// output lines, a live progress line on a terminal, --json for machines.
import { Command, Option } from 'commander';
import type { ConsumeBenchOptions } from './bench-consume.js';
import type { E2eBenchOptions } from './bench-e2e.js';
import type { ProduceBenchOptions } from './bench-produce.js';
import { connectionOf } from './connection-options.js';
import { examples } from './help-examples.js';
import { acks, integer } from './option-parsers.js';

export function benchCommand(): Command {
  const bench = new Command('bench').description("measure a cluster as Kafka's perf tools do");
  bench.addHelpText(
    'after',
    examples([
      'kstream bench produce --topic perf --num-records 1000000 --record-size 100',
      'kstream bench consume --topic perf --messages 1000000',
      'kstream bench e2e --topic perf --num-records 10000',
    ]),
  );

  bench
    .command('produce')
    .description('kafka-producer-perf-test: send records as fast as asked, report throughput and latency')
    .requiredOption('-t, --topic <topic>', 'an existing topic')
    .requiredOption('-n, --num-records <n>', 'records to send', integer(1))
    .option('-s, --record-size <bytes>', 'bytes per record', integer(0), 100)
    .option('--throughput <n>', 'records a second at most; -1 for no limit', integer(-1), -1)
    .option('-a, --acks <acks>', '0, 1 or all (-1)', acks, -1)
    .addOption(new Option('-z, --compression <codec>', 'compression of record batches').choices(['none', 'gzip', 'snappy', 'lz4', 'zstd']).default('none'))
    .option('--linger-ms <ms>', 'how long a batch waits for more records', integer(0), 5)
    .option('--batch-size <bytes>', 'bytes per partition batch', integer(0), 16_384)
    .option('--json', 'the figures as one JSON object')
    .addHelpText(
      'after',
      examples([
        'kstream bench produce --topic perf --num-records 1000000 --record-size 100 --throughput -1 --acks 1',
        'kstream bench produce --topic perf --num-records 50000 --throughput 10000 --json',
      ]),
    )
    .action(async (options: ProduceBenchOptions, command: Command) => (await import('./bench-produce.js')).benchProduce(connectionOf(command), options));

  bench
    .command('consume')
    .description('kafka-consumer-perf-test: read records from the start, report throughput')
    .requiredOption('-t, --topic <topic>', 'an existing topic')
    .requiredOption('-m, --messages <n>', 'records to read', integer(1))
    .option('-g, --group <id>', 'read as a member of this group (default: every partition, no group)')
    .option('--timeout <ms>', 'stop after this long without a record', integer(1), 10_000)
    .option('--json', 'the figures as one JSON object')
    .addHelpText('after', examples(['kstream bench consume --topic perf --messages 1000000', 'kstream bench consume --topic perf --messages 1000000 --group perf-readers --json']))
    .action(async (options: ConsumeBenchOptions, command: Command) => (await import('./bench-consume.js')).benchConsume(connectionOf(command), options));

  bench
    .command('e2e')
    .description("Kafka's EndToEndLatency: one record at a time, from send() until a consumer reads it")
    .requiredOption('-t, --topic <topic>', 'an existing topic (partition 0 is used)')
    .option('-n, --num-records <n>', 'records to round-trip', integer(1), 1000)
    .option('-s, --record-size <bytes>', 'bytes per record', integer(0), 100)
    .option('-a, --acks <acks>', '0, 1 or all (-1)', acks, -1)
    .option('--json', 'the figures as one JSON object')
    .addHelpText('after', examples(['kstream bench e2e --topic perf --num-records 10000 --acks 1']))
    .action(async (options: E2eBenchOptions, command: Command) => (await import('./bench-e2e.js')).benchE2e(connectionOf(command), options));

  return bench;
}
