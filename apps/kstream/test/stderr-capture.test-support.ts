// The brokers' log lines, as a test sees them: every broker worker's stderr
// is piped to this process's stderr, so wrapping its write sees them all.

/** Lines written to this process's stderr (the brokers' logs among them) while capturing. */
export class StderrCapture {
  readonly #lines: string[] = [];
  readonly #original = process.stderr.write;
  #partial = '';

  constructor() {
    const original = this.#original;
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      this.#collect(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (original as (...args: unknown[]) => boolean).call(process.stderr, chunk, ...rest);
    }) as typeof process.stderr.write;
  }

  get lines(): readonly string[] {
    return this.#lines;
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

  restore(): void {
    process.stderr.write = this.#original;
  }

  #collect(text: string): void {
    const parts = (this.#partial + text).split('\n');
    this.#partial = parts.pop()!;
    this.#lines.push(...parts);
  }
}
