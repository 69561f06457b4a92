// A node's log as a test sees it: startCluster({ logger }) with this keeps
// the node's lines and its brokers' (they log through the node) off stderr,
// for the test to assert on the ones it provokes.
import type { Logger } from '@kstream/actor';

/**
 * Each entry as one line: `LEVEL message`, then the fields but `broker` as
 * JSON when there are any; and as it was logged (entries), fields and all.
 */
export class LogCapture implements Logger {
  readonly #lines: string[] = [];
  readonly #entries: { readonly level: string; readonly msg: string; readonly fields: object }[] = [];

  get lines(): readonly string[] {
    return this.#lines;
  }

  get entries(): readonly { readonly level: string; readonly msg: string; readonly fields: object }[] {
    return this.#entries;
  }

  info(msg: string, fields?: object): void {
    this.#add('INFO', msg, fields);
  }

  warn(msg: string, fields?: object): void {
    this.#add('WARN', msg, fields);
  }

  error(msg: string, fields?: object): void {
    this.#add('ERROR', msg, fields);
  }

  /** Resolves with the first line (from line `from` on) that `match` accepts, or null after `timeoutMs`. */
  async find(match: (line: string) => boolean, { from = 0, timeoutMs = 5_000 } = {}): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.#lines.slice(from).find(match);
      if (line !== undefined) return line;
      if (Date.now() > deadline) return null;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  #add(level: string, msg: string, fields: object | undefined): void {
    this.#entries.push({ level, msg, fields: fields ?? {} });
    // A broker's lines carry `broker` (nodeLogger adds it); their messages name the broker already.
    const { broker: _broker, ...shown } = (fields ?? {}) as Record<string, unknown>;
    const json = Object.keys(shown).length === 0 ? '' : ` ${JSON.stringify(shown, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))}`;
    this.#lines.push(`${level} ${msg}${json}`);
  }
}
