import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pickFreePorts } from './port-check.js';

describe('pickFreePorts', () => {
  it('neverPicksAPortInTheEphemeralRange, whatever the range, and picks distinct ports', async () => {
    const range = fc
      .tuple(fc.integer({ min: 1024, max: 65535 }), fc.integer({ min: 1024, max: 65535 }))
      .map(([a, b]) => ({ first: Math.min(a, b), last: Math.max(a, b), source: 'test' }))
      .filter(({ first, last }) => first - 1024 + 65535 - last >= 200);
    await fc.assert(
      fc.asyncProperty(range, async (ephemeral) => {
        const ports = await pickFreePorts('127.0.0.1', 3, ephemeral);
        expect(ports).toHaveLength(3);
        expect(new Set(ports).size).toBe(3);
        for (const port of ports) {
          expect(port < ephemeral.first || port > ephemeral.last, `${port} in ${ephemeral.first}-${ephemeral.last}`).toBe(true);
          expect(port).toBeGreaterThanOrEqual(1024);
          expect(port).toBeLessThanOrEqual(65535);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('aRangeCoveringEveryUnprivilegedPort leaves nothing to pick', async () => {
    expect(await pickFreePorts('127.0.0.1', 3, { first: 1024, last: 65535, source: 'test' })).toEqual([]);
  });
});
