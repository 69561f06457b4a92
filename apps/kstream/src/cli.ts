import { CommanderError } from 'commander';
import { describeFailure, EXIT_USAGE } from './cli/cli-errors.js';
import { kstreamProgram } from './cli/program.js';

/**
 * The `kstream` command. Bad usage or configuration ends the process with one
 * line on stderr and exit code 2, a runtime failure (an unknown topic, an
 * unreachable cluster, a broker's error) with one line and exit code 1.
 */
export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    await kstreamProgram().parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError && error.code === 'commander.helpDisplayed') process.exit(0);
    // Help printed in place of a missing subcommand: the help is the message.
    if (error instanceof CommanderError && error.code === 'commander.help') process.exit(EXIT_USAGE);
    const failure = await describeFailure(error);
    if (failure === null) throw error;
    process.stderr.write(`kstream: ${failure.message}\n`);
    process.exit(failure.exitCode);
  }
}
