import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * One Ctrl-C can arrive twice, milliseconds apart: from the terminal to the
 * whole process group, and passed on by a parent (npm, the bin launcher). The
 * same signal again within this long is that one Ctrl-C.
 */
const REPEAT_WINDOW_MS = 500;

/**
 * The first SIGINT or SIGTERM calls `stop` (a command finishing cleanly:
 * offsets committed, clients closed); a second one exits at once, for when
 * stopping hangs. Returns a function that removes the handlers.
 */
export function onInterrupt(stop: () => void): () => void {
  let first: { signal: string; at: number } | null = null;
  const handler = (signal: (typeof SIGNALS)[number]) => {
    if (first !== null) {
      if (signal === first.signal && performance.now() - first.at < REPEAT_WINDOW_MS) return;
      process.exit(128 + constants.signals[signal]);
    }
    first = { signal, at: performance.now() };
    stop();
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of SIGNALS) process.off(signal, handler);
  };
}
