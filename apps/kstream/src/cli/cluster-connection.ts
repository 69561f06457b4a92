// The options every client command shares (--bootstrap, --request-timeout,
// --verbose) and the clients built from them. Any Kafka-compatible cluster
// will do: the commands speak only the protocol, through @kstream/client.
import type { Command } from 'commander';
import { Admin } from '@kstream/client';
import type { ClientLogger, ClientOptions } from '@kstream/client';
import { CommandError, kafkaErrorName } from './cli-errors.js';
import { integer } from './option-parsers.js';

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';

export interface ConnectionOptions {
  readonly bootstrap: string;
  readonly requestTimeout: number;
  readonly verbose?: boolean;
}

/** Adds the shared options to the program; subcommands read them with optsWithGlobals(). */
export function addConnectionOptions(program: Command): Command {
  return program
    .option('-b, --bootstrap <host:port,...>', 'brokers to bootstrap from', process.env['KSTREAM_BOOTSTRAP'] ?? DEFAULT_BOOTSTRAP)
    .option('--request-timeout <ms>', 'how long each call to the cluster may take, retries included', integer(1), 30_000)
    .option('-v, --verbose', "the client's log on stderr");
}

export function connectionOf(command: Command): ConnectionOptions {
  const { bootstrap, requestTimeout, verbose } = command.optsWithGlobals<ConnectionOptions>();
  return { bootstrap, requestTimeout, verbose };
}

/** The options of every client a command builds: its timeouts bounded by --request-timeout, its log only with --verbose. */
export function clientOptions(connection: ConnectionOptions): ClientOptions & { defaultApiTimeoutMs: number } {
  return {
    bootstrap: connection.bootstrap,
    clientId: 'kstream-cli',
    connectTimeoutMs: Math.min(connection.requestTimeout, 10_000),
    requestTimeoutMs: connection.requestTimeout,
    defaultApiTimeoutMs: connection.requestTimeout,
    logger: connection.verbose === true ? stderrLogger : silentLogger,
  };
}

/** Runs `use` with an Admin client, closing it afterwards. */
export async function withAdmin<T>(connection: ConnectionOptions, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin(clientOptions(connection));
  try {
    return await use(admin);
  } finally {
    await admin.close();
  }
}

/** The topic's partition ids; CommandError naming the topic when the cluster does not have it. */
export async function partitionsOf(admin: Admin, topic: string): Promise<number[]> {
  try {
    const [description] = await admin.describeTopics([topic]);
    return description!.partitions.map((p) => p.partition);
  } catch (error) {
    if (kafkaErrorName(error) === 'UNKNOWN_TOPIC_OR_PARTITION') throw new CommandError(`topic ${JSON.stringify(topic)} does not exist`);
    throw error;
  }
}

const silentLogger: ClientLogger = { debug() {}, info() {}, warn() {}, error() {} };

const stderrLogger: ClientLogger = {
  debug: (message, fields) => log('debug', message, fields),
  info: (message, fields) => log('info', message, fields),
  warn: (message, fields) => log('warn', message, fields),
  error: (message, fields) => log('error', message, fields),
};

function log(level: string, message: string, fields: object | undefined): void {
  const detail = fields === undefined ? '' : ` ${JSON.stringify(fields, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}`;
  process.stderr.write(`[${level}] ${message}${detail}\n`);
}
