import type { ResourceLimits } from 'node:worker_threads';

/**
 * A broker thread's V8 heap limits, for spawnWorker. Its young generation is
 * capped at 6 MB (two 2 MB semispaces, as V8 splits it); Node's default lets
 * it grow to 48 MB, and a grown young generation is never given back. A
 * broker's allocation is short-lived requests and batches, and its lasting
 * state is old: creating 10,000 partitions grew each broker's young
 * generation from 8 to 34 MB, and left it there, idle. With the cap, the
 * node's RSS per partition fell from 29.7 to 24.9 KB (`npm run bench --
 * scale`) with creation, restart and replicated throughput unchanged beyond
 * the noise. `--max-semi-space-size` (NODE_OPTIONS) overrides it.
 */
export const BROKER_RESOURCE_LIMITS: Readonly<ResourceLimits> = Object.freeze({ maxYoungGenerationSizeMb: 6 });
