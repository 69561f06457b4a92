/**
 * Where an actor's entries go: a message and, when there are any, fields
 * (`partition`, `error`, an offset) kept apart from the message so a JSON
 * sink shows them as keys. Three levels; nothing logs per record.
 */
export interface Logger {
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
}

/** The levels of a Logger, most severe first. */
export const LOG_LEVELS = ['error', 'warn', 'info'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * `logger` with `fields` on every entry (`{ broker: 1 }`, `{ component:
 * 'controller' }`); an entry's own fields win over them.
 */
export function withFields(logger: Logger, fields: object): Logger {
  const log = (level: LogLevel) => (msg: string, own?: object) => logger[level](msg, own === undefined ? fields : { ...fields, ...own });
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** `logger` without the entries below `level` (LOG_LEVELS, most severe first). */
export function atLevel(logger: Logger, level: LogLevel): Logger {
  const kept = (entry: LogLevel) => LOG_LEVELS.indexOf(entry) <= LOG_LEVELS.indexOf(level);
  const drop = () => undefined;
  return { info: kept('info') ? logger.info : drop, warn: kept('warn') ? logger.warn : drop, error: logger.error };
}

// Errors would stringify as {} and bigints would throw; both appear in the
// fields actors log (a handler's failure, an offset).
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

/**
 * Log fields as plain data, the way a log line shows them (an Error as its
 * name, message and stack; a bigint as its digits): what can cross a thread
 * boundary to the logger of another thread.
 */
export function plainLogFields(fields: object): object {
  return JSON.parse(JSON.stringify(fields, replacer)) as object;
}

function line(level: string, msg: string, fields: object | undefined): string {
  const suffix = fields === undefined ? '' : ` ${JSON.stringify(fields, replacer)}`;
  return `${new Date().toISOString()} ${level} ${msg}${suffix}\n`;
}

/** Writes each entry as one line on stderr: time, level, message, fields as JSON. */
export const stderrLogger: Logger = {
  info: (msg, fields) => void process.stderr.write(line('INFO', msg, fields)),
  warn: (msg, fields) => void process.stderr.write(line('WARN', msg, fields)),
  error: (msg, fields) => void process.stderr.write(line('ERROR', msg, fields)),
};
