import { constants } from 'node:os';
import type { Logger } from '@kstream/actor';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Under `npm start` one Ctrl-C reaches the node twice, milliseconds apart:
 * from the terminal, which signals its whole foreground process group, and
 * forwarded by npm to its child. The same signal again within this long is
 * that one Ctrl-C, not a second request.
 */
const REPEAT_WINDOW_MS = 500;

/**
 * The first SIGINT or SIGTERM stops the node cleanly (waiting for it to
 * finish starting, if need be) and exits 0 — or 1, with a line saying why,
 * if it could not stop cleanly (a broker's logs not flushed: a full disk);
 * a second one exits at once, for when a clean shutdown hangs.
 */
export function exitOnShutdownSignals(node: Promise<{ stop(): Promise<void> }>, logger: Logger): void {
  let first: { signal: string; at: number } | null = null;
  const onSignal = (signal: (typeof SIGNALS)[number]) => {
    if (first !== null) {
      if (signal === first.signal && performance.now() - first.at < REPEAT_WINDOW_MS) return;
      logger.warn(`${signal} during the shutdown: exiting at once`);
      process.exit(128 + constants.signals[signal]);
    }
    first = { signal, at: performance.now() };
    logger.info(`${signal}: shutting down (send it again to exit at once)`);
    node
      .then((n) => n.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`, { error });
          process.exit(1);
        },
      );
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
}
