// CI's bounded fuzz run (the long one is `npm run fuzz`): for each fixed
// seed, CI_FUZZ_REQUESTS fuzzed requests of every API the brokers advertise,
// admin ones with absurd counts included (fuzz-requests.test.ts checks the
// seeds reach them), against a 3-broker node, with health checks every 125
// requests. A failure names the seed and the command that replays it.
import { describe, expect, it } from 'vitest';
import { runFuzz } from './fuzz-driver.test-support.js';
import { CI_FUZZ_REQUESTS, CI_FUZZ_SEEDS } from './fuzz-seeds.test-support.js';

describe('the node under protocol fuzzing', () => {
  it.each(CI_FUZZ_SEEDS)(
    'fuzzSeed%i: every response decodes, every close is explained, no broker crashes, memory and control API within bounds',
    async (seed) => {
      const result = await runFuzz({ seed, requests: CI_FUZZ_REQUESTS, checkEvery: 125 });
      expect(result.requests).toBe(CI_FUZZ_REQUESTS);
      expect(result.summary.untried(result.apis), 'advertised APIs that got no well-formed request').toEqual([]);
    },
    180_000,
  );
});
