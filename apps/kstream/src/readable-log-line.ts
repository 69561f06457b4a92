// The readable form of a JSON log line, for `kstream start` on a terminal.

const LEVEL_STYLE: Record<string, string> = { error: '\x1b[31m', warn: '\x1b[33m', info: '\x1b[32m' };
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';

/**
 * `18:21:27.378 INFO  [broker 1] listening on … {"partition":"orders-0"}`:
 * the time of day, the level (coloured unless NO_COLOR is set), where the
 * line came from (broker or component), the message, then any other fields
 * as JSON. `json` is one line from the JSON sink (logSink).
 */
export function readableLine(json: string, color = process.env['NO_COLOR'] === undefined): string {
  const { level, time, msg, broker, component, ...fields } = JSON.parse(json) as Record<string, unknown>;
  const label = String(level).toUpperCase().padEnd(5);
  const styled = color ? `${LEVEL_STYLE[String(level)] ?? ''}${label}${RESET}` : label;
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  const where = broker !== undefined ? `broker ${String(broker)}` : String(component);
  const rest = Object.keys(fields).length === 0 ? '' : ` ${color ? DIM : ''}${JSON.stringify(fields)}${color ? RESET : ''}`;
  return `${clock} ${styled} [${where}] ${String(msg)}${rest}\n`;
}
