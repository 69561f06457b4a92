// The live line a benchmark redraws on stderr while it runs — only when
// stderr is a terminal: piped output gets just the final figures.

const REDRAW_MS = 500;

export class ProgressLine {
  readonly #timer: NodeJS.Timeout | undefined;
  #drawn = false;

  constructor(line: () => string) {
    if (process.stderr.isTTY !== true) return;
    this.#timer = setInterval(() => {
      process.stderr.write(`\r\x1b[2K${line()}`);
      this.#drawn = true;
    }, REDRAW_MS);
  }

  /** Stops redrawing and clears the line. */
  stop(): void {
    clearInterval(this.#timer);
    if (this.#drawn) process.stderr.write('\r\x1b[2K');
  }
}
