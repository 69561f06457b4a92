// What the benchmarks that start a node share on their command line and in
// their output: `--quick` and `--only <parts>`, and the node's warnings and
// errors counted for the end instead of printed among the figures.

/** Parses `[--quick] [--only a,b]` (or `--only=a,b`) against a benchmark's parts; throws naming the bad argument and `usage`. */
export function parsePartArgs<P extends string>(args: readonly string[], all: readonly P[], usage: string): { quick: boolean; parts: readonly P[] } {
  let quick = false;
  let parts: readonly P[] = all;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split('=', 2) as [string, string | undefined];
    if (flag === '--quick' && inline === undefined) {
      quick = true;
      continue;
    }
    const value = flag === '--only' ? (inline ?? args[++i]) : undefined;
    if (value === undefined) throw new Error(`unknown argument ${JSON.stringify(args[i])}; ${usage}`);
    const named = value.split(',');
    const unknown = named.filter((p) => !(all as readonly string[]).includes(p));
    if (unknown.length > 0) throw new Error(`--only: unknown part ${unknown.join(', ')}; ${usage}`);
    parts = all.filter((p) => named.includes(p));
  }
  return { quick, parts };
}

const LOG_KINDS_SHOWN = 10;

/**
 * Counts the node's warnings and errors by message for the end: brokers log
 * their crashes and the faults around them, and the figures should not drown
 * in them. The message, not its fields, names the kind.
 */
export function countingNodeLog() {
  const counts = new Map<string, number>();
  const keep = (level: string) => (msg: string) => counts.set(`${level} ${msg}`, (counts.get(`${level} ${msg}`) ?? 0) + 1);
  const summary = (): string => {
    const kinds = [...counts].sort((a, b) => b[1] - a[1]);
    const total = kinds.reduce((sum, [, n]) => sum + n, 0);
    const shown = kinds.slice(0, LOG_KINDS_SHOWN).map(([line, n]) => `\n  ${String(n).padStart(5)} x ${line.slice(0, 200)}`);
    const rest = kinds.length > LOG_KINDS_SHOWN ? `\n  ... and ${kinds.length - LOG_KINDS_SHOWN} other kinds` : '';
    return `node log: ${total} warnings and errors${shown.join('')}${rest}`;
  };
  return { logger: { info() {}, warn: keep('WARN'), error: keep('ERROR') }, summary };
}
