import { constants } from 'node:os';
import type { Logger } from '@kstream/actor';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * The first SIGINT or SIGTERM stops the node cleanly (waiting for it to
 * finish starting, if need be) and exits 0; a second one exits at once, for
 * when a clean shutdown hangs.
 */
export function exitOnShutdownSignals(node: Promise<{ stop(): Promise<void> }>, logger: Logger): void {
  let shuttingDown = false;
  const onSignal = (signal: (typeof SIGNALS)[number]) => {
    if (shuttingDown) {
      logger.warn(`${signal} during the shutdown: exiting at once`);
      process.exit(128 + constants.signals[signal]);
    }
    shuttingDown = true;
    logger.info(`${signal}: shutting down (send it again to exit at once)`);
    node
      .then((n) => n.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error('shutdown failed', { error });
          process.exit(1);
        },
      );
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
}
