// `kstream start`'s --log-level and --log-format, read before the other
// flags: parsing those (a --config-file's warnings) already logs.
import { LOG_LEVELS } from '@kstream/actor';
import type { LogLevel } from '@kstream/actor';
import { ConfigError } from './config-error.js';
import type { LogFormat } from './log-sink.js';

export const LOG_FLAGS = ['--log-level', '--log-format'] as const;

const LEVELS = [...LOG_LEVELS, 'silent'] as const;
const FORMATS = ['json', 'pretty'] as const;

export interface LogOptions {
  readonly level: LogLevel | 'silent';
  readonly format: LogFormat;
}

/**
 * The log flags among `args` (`--flag value` or `--flag=value`) and the
 * arguments left for parseStartArgs. Without a flag: KSTREAM_LOG_LEVEL and
 * KSTREAM_LOG_FORMAT from `env`, then info, and JSON unless stderr is a
 * terminal (`stderrIsTTY`).
 */
export function parseLogArgs(args: readonly string[], env: NodeJS.ProcessEnv, stderrIsTTY: boolean): { readonly log: LogOptions; readonly rest: string[] } {
  const rest: string[] = [];
  const given = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (!(LOG_FLAGS as readonly string[]).includes(name)) {
      rest.push(arg);
      continue;
    }
    if (given.has(name)) throw new ConfigError(`${name} is given more than once`);
    const value = eq >= 0 ? arg.slice(eq + 1) : i + 1 < args.length && !args[i + 1]!.startsWith('--') ? args[++i] : undefined;
    if (value === undefined) throw new ConfigError(`${name} needs a value`);
    given.set(name, value);
  }
  const level = oneOf('--log-level', given.get('--log-level'), 'KSTREAM_LOG_LEVEL', env['KSTREAM_LOG_LEVEL'], LEVELS) ?? 'info';
  const format = oneOf('--log-format', given.get('--log-format'), 'KSTREAM_LOG_FORMAT', env['KSTREAM_LOG_FORMAT'], FORMATS) ?? (stderrIsTTY ? 'pretty' : 'json');
  return { log: { level, format }, rest };
}

function oneOf<T extends string>(flag: string, fromFlag: string | undefined, variable: string, fromEnv: string | undefined, allowed: readonly T[]): T | undefined {
  const [source, value] = fromFlag !== undefined ? [flag, fromFlag] : [variable, fromEnv === '' ? undefined : fromEnv];
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${source} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}
