// How commands print results: an aligned table with a header on a terminal;
// plain tab-separated lines without a header when stdout is piped (for grep,
// cut and awk); JSON with --json. Offsets (bigint) print as numbers.

export interface OutputOptions {
  readonly json: boolean;
  /** Whether stdout is a terminal. */
  readonly tty: boolean;
}

export function outputOptions(options: { json?: boolean }): OutputOptions {
  return { json: options.json === true, tty: process.stdout.isTTY === true };
}

export type Cell = string | number | bigint | null | undefined;

/** Rows under a header: aligned on a terminal, tab-separated when piped. */
export function printTable(output: OutputOptions, header: readonly string[], rows: readonly (readonly Cell[])[]): void {
  const text = rows.map((row) => row.map(cellText));
  if (!output.tty) {
    for (const row of text) writeLine(row.join('\t'));
    return;
  }
  const widths = header.map((title, i) => Math.max(title.length, ...text.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  writeLine(line(header));
  for (const row of text) writeLine(line(row));
}

export function printJson(value: unknown): void {
  writeLine(JSON.stringify(value, jsonReplacer));
}

/** bigint as a number when it is exact (offsets are), else as text. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  return value;
}

export function writeLine(text: string): void {
  process.stdout.write(`${text}\n`);
}

function cellText(cell: Cell): string {
  return cell === null || cell === undefined ? '-' : String(cell);
}
