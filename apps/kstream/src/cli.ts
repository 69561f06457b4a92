import { stderrLogger } from '@kstream/actor';
import { ConfigError } from './config-error.js';
import { exitOnShutdownSignals } from './shutdown-signals.js';
import { startCluster } from './start-cluster.js';
import { parseStartArgs } from './start-options.js';

const USAGE =
  'usage: kstream start [--brokers 3] [--data-dir ./data] [--port 9092] [--config-file server.properties] [--config key=value ...]';

/**
 * The `kstream` command. Bad usage or configuration ends the process with one
 * line on stderr and exit code 2.
 */
export async function runCli(argv: readonly string[]): Promise<void> {
  const [command, ...args] = argv;
  try {
    if (command !== 'start') {
      const what = command === undefined ? 'no command given' : `unknown command ${JSON.stringify(command)}`;
      throw new ConfigError(`${what}; ${USAGE}`);
    }
    await start(args);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`kstream: ${error.message}\n`);
    process.exit(2);
  }
}

async function start(args: readonly string[]): Promise<void> {
  const options = parseStartArgs(args, stderrLogger);
  const starting = startCluster({ ...options, logger: stderrLogger });
  exitOnShutdownSignals(starting, stderrLogger);
  const cluster = await starting;
  const { clusterId } = await cluster.control.describe();
  process.stdout.write(
    `kstream ready: bootstrap ${cluster.bootstrap} (${cluster.brokers.length} brokers, cluster ${clusterId}, data in ${options.dataDir})\n`,
  );
}
