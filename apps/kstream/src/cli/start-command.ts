// `kstream start`: the node itself. Its flags are parsed by parseStartArgs
// (start-options.ts), as before the client commands came: commander only
// hands it the arguments and shows its help.
import { Command } from 'commander';
import { examples } from './help-examples.js';

export function startCommand(): Command {
  return new Command('start')
    .description('start a node: brokers on 127.0.0.1 from --port on, their data under --data-dir')
    .usage('[flags]')
    .argument('[flags...]')
    .allowUnknownOption()
    .addHelpText(
      'after',
      `
Flags:
  --brokers <n>           broker threads, ids 1..n (default 3)
  --data-dir <path>       every broker's logs and the metadata log (default ./data)
  --port <port>           the first broker's port; the others follow (default 9092; 0 picks free ports)
  --config-file <path>    broker configs from a Java properties file (server.properties)
  --config <key=value>    a broker config, repeatable; overrides --config-file
  --metrics-port <port>   Prometheus metrics over HTTP (default 9644; a free port under --port 0; none: no endpoint)
  --log-level <level>     error, warn, info or silent (default info; or KSTREAM_LOG_LEVEL)
  --log-format <format>   json or pretty (default pretty on a terminal, else json; or KSTREAM_LOG_FORMAT)
${examples([
  'kstream start',
  'kstream start --brokers 1 --data-dir /tmp/kstream --port 19092',
  'kstream start --config num.partitions=6 --config log.retention.ms=3600000',
  'kstream start --log-level warn 2> kstream.log',
])}`,
    )
    .action(async (flags: string[]) => {
      // The node's code loads only for `start`: the client commands start faster without it.
      const [{ logSink }, { parseLogArgs }, { exitOnShutdownSignals }, { startCluster }, { parseStartArgs }] = await Promise.all([
        import('../log-sink.js'),
        import('../log-options.js'),
        import('../shutdown-signals.js'),
        import('../start-cluster.js'),
        import('../start-options.js'),
      ]);
      const { log, rest } = parseLogArgs(flags, process.env, process.stderr.isTTY === true);
      const logger = logSink(log);
      const options = parseStartArgs(rest, logger);
      const starting = startCluster({ ...options, logger });
      exitOnShutdownSignals(starting, logger);
      const cluster = await starting;
      const { clusterId } = await cluster.control.describe();
      process.stdout.write(`kstream ready: bootstrap ${cluster.bootstrap} (${cluster.brokers.length} brokers, cluster ${clusterId}, data in ${options.dataDir})\n`);
    });
}
