import type { ClientLogger } from '../options/index.js';
import { logLevel } from './constants.js';

export interface LoggerEntryContent {
  readonly timestamp: string;
  readonly message: string;
  [key: string]: any;
}

export interface LogEntry {
  namespace: string;
  level: logLevel;
  label: string;
  log: LoggerEntryContent;
}

export type logCreator = (logLevel: logLevel) => (entry: LogEntry) => void;

export type Logger = {
  info: (message: string, extra?: object) => void;
  error: (message: string, extra?: object) => void;
  warn: (message: string, extra?: object) => void;
  debug: (message: string, extra?: object) => void;
  namespace: (namespace: string, logLevel?: logLevel) => Logger;
  setLogLevel: (logLevel: logLevel) => void;
};

/** kafkajs's default: one JSON line per entry on the console stream of its level. */
export const consoleLogCreator: logCreator = () => (entry) => {
  const prefix = entry.namespace ? `[${entry.namespace}] ` : '';
  const line = JSON.stringify({ level: entry.label, ...entry.log, message: `${prefix}${entry.log.message}` });
  if (entry.level === logLevel.ERROR) console.error(line);
  else if (entry.level === logLevel.WARN) console.warn(line);
  else if (entry.level === logLevel.INFO) console.info(line);
  else console.log(line);
};

const LEVELS = [
  ['error', logLevel.ERROR, 'ERROR'],
  ['warn', logLevel.WARN, 'WARN'],
  ['info', logLevel.INFO, 'INFO'],
  ['debug', logLevel.DEBUG, 'DEBUG'],
] as const;

/**
 * kafkajs's logger: entries at or below the level go to the logCreator's
 * function. KAFKAJS_LOG_LEVEL in the environment overrides the level, as in
 * kafkajs. A namespace shares the root level unless given its own.
 */
export function createLogger(options: { level?: logLevel; logCreator?: logCreator }): Logger {
  let rootLevel = levelFromEnvironment(options.level ?? logLevel.INFO);
  const write = (options.logCreator ?? consoleLogCreator)(rootLevel);

  const loggerFor = (namespace: string, ownLevel: logLevel | undefined): Logger => {
    const current = (): logLevel => ownLevel ?? rootLevel;
    const logger = {
      namespace: (child: string, childLevel?: logLevel) => loggerFor(child, childLevel === undefined ? undefined : levelFromEnvironment(childLevel)),
      setLogLevel: (level: logLevel) => {
        rootLevel = level;
      },
    } as Logger;
    for (const [method, level, label] of LEVELS) {
      logger[method] = (message: string, extra?: object) => {
        if (level > current()) return;
        write({ namespace, level, label, log: { timestamp: new Date().toISOString(), logger: 'kafkajs', message, ...extra } });
      };
    }
    return logger;
  };
  return loggerFor('', undefined);
}

function levelFromEnvironment(level: logLevel): logLevel {
  const named = (process.env['KAFKAJS_LOG_LEVEL'] ?? '').toUpperCase();
  return named in logLevel && Number.isNaN(Number(named)) ? logLevel[named as keyof typeof logLevel] : level;
}

/** The client's logger interface, writing to a kafkajs logger. */
export function clientLoggerFor(logger: Logger): ClientLogger {
  return {
    debug: (message, fields) => logger.debug(message, fields),
    info: (message, fields) => logger.info(message, fields),
    warn: (message, fields) => logger.warn(message, fields),
    error: (message, fields) => logger.error(message, fields),
  };
}
