import type { Logger } from '@kstream/actor';
import { resolveBrokerConfig } from '@kstream/metadata';
import type { BrokerConfigProps } from '@kstream/metadata';
import { checkBrokerConfig, readBrokerConfigFile } from './broker-config-file.js';
import { ConfigError } from './config-error.js';
import { LOG_FLAGS } from './log-options.js';

export interface StartOptions {
  /** Number of broker worker threads, ids 1..brokers. */
  readonly brokers: number;
  /** Root of every broker's log directory and the controller's metadata log. */
  readonly dataDir: string;
  /** First broker's listener port; the others follow consecutively. 0 picks free ports. */
  readonly port: number;
  /**
   * Broker configs under Kafka's names ('num.partitions': '3'): the static
   * config of every broker and the defaults of new topics.
   */
  readonly config: BrokerConfigProps;
  /**
   * Where the node serves Prometheus metrics (GET /metrics on 127.0.0.1): a
   * port, 0 for a free one, or -1 (or absent) for none. `kstream start`
   * serves them on 9644, or on a free port under --port 0.
   */
  readonly metricsPort?: number;
}

/** `kstream start`'s metrics port when --metrics-port is not given and --port is not 0. */
export const DEFAULT_METRICS_PORT = 9644;

/** --metrics-port's value for no metrics endpoint. */
export const NO_METRICS = -1;

export const START_DEFAULTS: StartOptions = { brokers: 3, dataDir: './data', port: 9092, config: {} };

const FLAGS = ['--brokers', '--data-dir', '--port', '--config', '--config-file', '--metrics-port'] as const;
type Flag = (typeof FLAGS)[number];

/**
 * Parses `kstream start` flags (`--flag value` or `--flag=value`).
 * `--config key=value` may be repeated; it overrides the same key from
 * `--config-file` (a Java properties file such as server.properties, whose
 * Kafka-only settings are left out with a warning to `logger`).
 */
export function parseStartArgs(args: readonly string[], logger: Logger): StartOptions {
  const given = new Map<Flag, string>();
  const configs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (!isFlag(name)) {
      throw new ConfigError(`unknown flag ${JSON.stringify(arg)} for kstream start (allowed: ${[...FLAGS, ...LOG_FLAGS].join(', ')})`);
    }
    if (given.has(name)) throw new ConfigError(`${name} is given more than once`);
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1]!.startsWith('--')) value = args[++i];
    if (value === undefined) throw new ConfigError(`${name} needs a value`);
    if (name === '--config') configs.push(value);
    else given.set(name, value);
  }

  const configFile = given.get('--config-file');
  const config: Record<string, string> = configFile === undefined ? {} : { ...readBrokerConfigFile(configFile, logger) };
  const fromFlags = new Set<string>();
  for (const setting of configs) {
    const eq = setting.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--config needs key=value, got ${JSON.stringify(setting)}`);
    const key = setting.slice(0, eq);
    const value = setting.slice(eq + 1);
    if (fromFlags.has(key)) throw new ConfigError(`--config ${key} is given more than once`);
    fromFlags.add(key);
    checkBrokerConfig(`--config ${key}`, key, value);
    config[key] = value;
  }

  const port = wholeNumber(given, '--port', START_DEFAULTS.port);
  const metricsPort = given.get('--metrics-port');
  return checkStartOptions({
    brokers: wholeNumber(given, '--brokers', START_DEFAULTS.brokers),
    port,
    dataDir: given.get('--data-dir') ?? START_DEFAULTS.dataDir,
    config,
    // Under --port 0 (tests, several nodes on one host) the metrics port is a free one too.
    metricsPort: metricsPort === 'none' || metricsPort === '-1' ? NO_METRICS : wholeNumber(given, '--metrics-port', port === 0 ? 0 : DEFAULT_METRICS_PORT),
  });
}

const MAX_BROKERS = 100;
const ALLOWED = {
  '--brokers': `a whole number from 1 to ${MAX_BROKERS}`,
  '--port': 'a whole number from 0 to 65535 (0 picks free ports)',
  '--metrics-port': 'a whole number from 0 to 65535 (0 picks a free port), or none (or -1) for no metrics endpoint',
} as const;

/** Checks the ranges of start options and the broker configs, however they were given. */
export function checkStartOptions(options: StartOptions): StartOptions {
  const { brokers, port, dataDir, config, metricsPort = NO_METRICS } = options;
  if (!(Number.isInteger(brokers) && brokers >= 1 && brokers <= MAX_BROKERS)) {
    throw new ConfigError(`--brokers must be ${ALLOWED['--brokers']}, got ${brokers}`);
  }
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new ConfigError(`--port must be ${ALLOWED['--port']}, got ${port}`);
  }
  if (port !== 0 && port + brokers - 1 > 65535) {
    throw new ConfigError(`--port ${port} with --brokers ${brokers} needs ports up to ${port + brokers - 1}, above 65535; use a lower --port`);
  }
  if (!(Number.isInteger(metricsPort) && metricsPort >= NO_METRICS && metricsPort <= 65535)) {
    throw new ConfigError(`--metrics-port must be ${ALLOWED['--metrics-port']}, got ${metricsPort}`);
  }
  if (port !== 0 && metricsPort >= port && metricsPort <= port + brokers - 1) {
    throw new ConfigError(`--metrics-port ${metricsPort} is broker ${metricsPort - port + 1}'s listener port (--port ${port}, --brokers ${brokers}); choose another`);
  }
  if (dataDir === '') throw new ConfigError('--data-dir must not be empty');
  for (const [key, value] of Object.entries(config)) {
    if (typeof value !== 'string') throw new ConfigError(`config ${key} must be given as a string, got ${typeof value}`);
    checkBrokerConfig(`config ${key}`, key, value);
  }
  return options;
}

/** The internal topics' replication settings whose Kafka defaults (3, min ISR 2) a smaller node cannot meet. */
const SIZED_TO_THE_NODE = ['offsets.topic.replication.factor', 'transaction.state.log.replication.factor', 'transaction.state.log.min.isr'] as const;

/**
 * The static broker config of a node of `brokers` brokers: `config` as
 * given, plus each internal-topic replication setting the user did not set
 * whose default is above the broker count, lowered to it — "3 or the number
 * of brokers" (issue 11), so a 1- or 2-broker node creates __consumer_offsets
 * without any config. A broker added later does not change them.
 */
export function nodeBrokerConfig(brokers: number, config: BrokerConfigProps): BrokerConfigProps {
  const defaults = resolveBrokerConfig();
  const sized: Record<string, string> = {};
  for (const key of SIZED_TO_THE_NODE) {
    if (!Object.hasOwn(config, key) && defaults[key] > brokers) sized[key] = String(brokers);
  }
  return { ...sized, ...config };
}

function isFlag(name: string): name is Flag {
  return (FLAGS as readonly string[]).includes(name);
}

function wholeNumber(given: Map<Flag, string>, flag: keyof typeof ALLOWED, fallback: number): number {
  const text = given.get(flag);
  if (text === undefined) return fallback;
  if (!/^\d{1,9}$/.test(text)) throw new ConfigError(`${flag} must be ${ALLOWED[flag]}, got ${JSON.stringify(text)}`);
  return Number(text);
}
