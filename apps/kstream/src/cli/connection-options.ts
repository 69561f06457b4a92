// The options every client command shares (--bootstrap, --request-timeout,
// --verbose), and the way a command reaches the cluster: the client code
// (cluster-connection.ts, @kstream/client) loads only when a client command
// runs, so `kstream start` and --help never pay for it.
import type { Command } from 'commander';
import type { Admin } from '@kstream/client';
import { integer } from './option-parsers.js';

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';

export interface ConnectionOptions {
  readonly bootstrap: string;
  readonly requestTimeout: number;
  readonly verbose?: boolean;
}

export type ClusterConnection = typeof import('./cluster-connection.js');

/** Adds the shared options to the program; subcommands read them with optsWithGlobals(). */
export function addConnectionOptions(program: Command): Command {
  return program
    .option('-b, --bootstrap <host:port,...>', 'brokers to bootstrap from', process.env['KSTREAM_BOOTSTRAP'] ?? DEFAULT_BOOTSTRAP)
    .option('--request-timeout <ms>', 'how long each call to the cluster may take, retries included', integer(1), 30_000)
    .option('-v, --verbose', "the client's log on stderr");
}

export function connectionOf(command: Command): ConnectionOptions {
  const { bootstrap, requestTimeout, verbose } = command.optsWithGlobals<ConnectionOptions>();
  return { bootstrap, requestTimeout, ...(verbose === undefined ? {} : { verbose }) };
}

/** Runs `use` with an Admin client on the command's cluster (closed afterwards) and the connection helpers. */
export async function withCommandAdmin<T>(command: Command, use: (admin: Admin, cluster: ClusterConnection) => Promise<T>): Promise<T> {
  const cluster = await import('./cluster-connection.js');
  return cluster.withAdmin(connectionOf(command), (admin) => use(admin, cluster));
}
