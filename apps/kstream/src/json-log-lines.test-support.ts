// `kstream start`'s stderr as a test reads it: piped, it is JSON lines.

/** Each line of `stderr` that is a JSON object (a log line), parsed; other lines (the CLI's own `kstream: …` errors) are left out. */
export function jsonLogLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
