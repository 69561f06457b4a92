// What a fuzz run sent, per API, and what came back: the table printed at
// the end of every run.
import { errorInfo } from '@kstream/protocol';

interface ApiTally {
  wellFormed: number;
  mutated: number;
  answered: number;
  /** Connections the broker closed: on mutated frames, unserved versions, acks=0 Produce failures. */
  closed: number;
  /** One-shot connections neither answered nor closed in time (allowed: an acks=0 Produce, a frame still incomplete). */
  silent: number;
  /** Error codes seen anywhere in the responses, by name. */
  readonly errors: Map<string, number>;
}

export class FuzzSummary {
  readonly #byApi = new Map<string, ApiTally>();

  #tally(api: string): ApiTally {
    let tally = this.#byApi.get(api);
    if (tally === undefined) {
      tally = { wellFormed: 0, mutated: 0, answered: 0, closed: 0, silent: 0, errors: new Map() };
      this.#byApi.set(api, tally);
    }
    return tally;
  }

  sent(api: string, mutated: boolean): void {
    const tally = this.#tally(api);
    if (mutated) tally.mutated++;
    else tally.wellFormed++;
  }

  closed(api: string): void {
    this.#tally(api).closed++;
  }

  silent(api: string): void {
    this.#tally(api).silent++;
  }

  /** Counts a decoded response and every errorCode in it; returns the names of those codes. */
  answered(api: string, body: unknown): Set<string> {
    const tally = this.#tally(api);
    tally.answered++;
    const names = new Set<string>();
    forEachErrorCode(body, (code) => {
      const name = errorInfo(code).name;
      names.add(name);
      tally.errors.set(name, (tally.errors.get(name) ?? 0) + 1);
    });
    return names;
  }

  get requests(): number {
    let total = 0;
    for (const t of this.#byApi.values()) total += t.wellFormed + t.mutated;
    return total;
  }

  /** APIs that got no well-formed request, among `apis`. */
  untried(apis: readonly string[]): string[] {
    return apis.filter((api) => (this.#byApi.get(api)?.wellFormed ?? 0) === 0);
  }

  table(): string {
    const rows = [['API', 'well-formed', 'mutated', 'answered', 'closed', 'silent', 'error codes seen (count)']];
    const names = [...this.#byApi.keys()].sort();
    for (const name of names) {
      const t = this.#byApi.get(name)!;
      const errors = [...t.errors]
        .sort((a, b) => b[1] - a[1])
        .map(([code, n]) => `${code} ${n}`)
        .join(', ');
      rows.push([name, String(t.wellFormed), String(t.mutated), String(t.answered), String(t.closed), String(t.silent), errors]);
    }
    const widths = rows[0]!.slice(0, -1).map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    return rows.map((r) => r.map((cell, i) => (i < widths.length ? (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)) : cell)).join('  ')).join('\n');
  }
}

function forEachErrorCode(value: unknown, visit: (code: number) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) forEachErrorCode(item, visit);
    return;
  }
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return;
  for (const [key, field] of Object.entries(value)) {
    if (key === 'errorCode' && typeof field === 'number') visit(field);
    else forEachErrorCode(field, visit);
  }
}
