export interface Logger {
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
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
