// How the scale benchmark's children keep a failing node's failure as data:
// many partitions may exhaust a limit (open files, memory, a timeout), and
// that is a finding to print beside the figures, not a crash of the benchmark.
import type { Cluster } from '@kstream/kstream';
import type { StopOutcome } from './messages.js';

/** How long stop() may take before the child gives up on it (exiting stops the threads all the same). */
const STOP_TIMEOUT_MS = 60_000;

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The node's stop(), timed; a rejection or no end within STOP_TIMEOUT_MS is its error. */
export async function stopNode(node: Cluster): Promise<StopOutcome> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`stop() did not end within ${STOP_TIMEOUT_MS} ms`), STOP_TIMEOUT_MS);
  });
  try {
    const error = await Promise.race([node.stop().then(() => null, errorMessage), timedOut]);
    return { ms: performance.now() - started, error };
  } finally {
    clearTimeout(timer);
  }
}
