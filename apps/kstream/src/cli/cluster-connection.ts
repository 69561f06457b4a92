// The clients a command builds from the shared options. Any Kafka-compatible
// cluster will do: the commands speak only the protocol, through
// @kstream/client. Loaded only when a client command runs.
import { Admin, AdminBatchError, KafkaProtocolError } from '@kstream/client';
import type { ClientLogger, ClientOptions } from '@kstream/client';
import { CommandError } from './cli-errors.js';
import type { ConnectionOptions } from './connection-options.js';

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

/** The Kafka error name of a failure (a single-item batch failure included), e.g. 'UNKNOWN_TOPIC_OR_PARTITION'. */
export function kafkaErrorName(error: unknown): string | undefined {
  const cause = error instanceof AdminBatchError && error.failures.length === 1 ? error.failures[0]!.error : error;
  return cause instanceof KafkaProtocolError ? cause.errorName : undefined;
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
