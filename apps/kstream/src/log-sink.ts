// `kstream start`'s log sink: the one place the node's lines — its own, the
// controller's and, told to the node, every broker worker's — are written.
import { plainLogFields } from '@kstream/actor';
import type { Logger, LogLevel } from '@kstream/actor';
import { pino } from 'pino';
import type { DestinationStream } from 'pino';
import { readableLine } from './readable-log-line.js';

/** JSON lines (one object per line), or readable ones for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

export interface LogSinkOptions {
  /** Entries below this level cost a function call and nothing else. 'silent' writes none. */
  readonly level: LogLevel | 'silent';
  readonly format: LogFormat;
  /** Where lines go; stderr when absent. */
  readonly write?: (line: string) => void;
}

/**
 * A Logger writing through pino: each line has `level` (its name), `time`
 * (ISO 8601), `msg` and the entry's fields as keys — `broker` on a broker's
 * lines, `partition` where the call names one, and `component: "node"` on the
 * node's and the controller's own (which say `"controller"`), so every line
 * says where it came from. Errors show as name, message and stack, bigints as
 * their digits. Writes are synchronous: the last lines before a crash are not
 * lost, and no transport thread is started.
 */
export function logSink(options: LogSinkOptions): Logger {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const destination: DestinationStream = { write: options.format === 'json' ? write : (line) => write(readableLine(line)) };
  const sink = pino(
    {
      level: options.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => plainLogFields('broker' in fields || 'component' in fields ? fields : { component: 'node', ...fields }) as Record<string, unknown>,
      },
    },
    destination,
  );
  // pino's disabled levels are no-ops: an entry below the level builds no line.
  return {
    info: (msg, fields) => sink.info(fields ?? {}, msg),
    warn: (msg, fields) => sink.warn(fields ?? {}, msg),
    error: (msg, fields) => sink.error(fields ?? {}, msg),
  };
}
