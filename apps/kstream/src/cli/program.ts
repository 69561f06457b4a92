// The `kstream` command line: `start` (the node) and the client commands,
// which work against any Kafka-compatible cluster. commander parses and
// writes --help; a usage error is thrown (exitOverride) for cli.ts to report
// as one line with exit code 2.
import { Command } from 'commander';
import { benchCommand } from './bench-command.js';
import { addConnectionOptions } from './connection-options.js';
import { consumeCommand } from './consume-command.js';
import { groupsCommand } from './groups-command.js';
import { examples } from './help-examples.js';
import { produceCommand } from './produce-command.js';
import { startCommand } from './start-command.js';
import { topicsCommand } from './topics-command.js';

export function kstreamProgram(): Command {
  const program = new Command('kstream')
    .description('A Kafka-compatible event-streaming platform: start a node, or work with any Kafka-compatible cluster')
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .showSuggestionAfterError(true)
    .addHelpCommand(false);
  addConnectionOptions(program);
  program.addHelpText(
    'after',
    `${examples([
      'kstream start --data-dir ./data',
      'kstream topics create orders --partitions 3',
      'echo hello | kstream produce orders',
      'kstream consume orders --from-beginning --max-messages 1',
      'kstream bench produce --topic orders --num-records 100000 --record-size 100',
    ])}\n\nThe client commands reach --bootstrap (or $KSTREAM_BOOTSTRAP), default 127.0.0.1:9092.`,
  );
  for (const command of [startCommand(), topicsCommand(), produceCommand(), consumeCommand(), groupsCommand(), benchCommand()]) {
    program.addCommand(inheritSettings(command, program));
  }
  return program;
}

/** addCommand does not pass the parent's settings on as command() does: exitOverride and quiet errors for the whole tree. */
function inheritSettings(command: Command, parent: Command): Command {
  command.copyInheritedSettings(parent);
  for (const sub of command.commands) inheritSettings(sub, command);
  return command;
}
