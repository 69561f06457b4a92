import fc from 'fast-check';
import { ListGroups, type RequestOf } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { resolveClientOptions } from '../options/client-options.js';
import { FakeBroker } from '../testing/fake-broker.test-support.js';
import { BrokerConnection } from './broker-connection.js';

describe('BrokerConnection pipelining', () => {
  it('neverExceedsTheInFlightLimitAndMatchesEveryResponse', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 40 }), async (limit, delays) => {
        let outstanding = 0;
        let mostOutstanding = 0;
        const broker = await FakeBroker.start({
          handlers: {
            // Echo the request's only state filter as the group id, after the delay the test drew for it.
            [ListGroups.apiKey]: (request: RequestOf<typeof ListGroups>) => {
              mostOutstanding = Math.max(mostOutstanding, ++outstanding);
              const [tag] = request.statesFilter;
              return new Promise((resolve) =>
                setTimeout(() => {
                  outstanding--;
                  resolve({ throttleTimeMs: 0, errorCode: 0, groups: [{ groupId: tag!, protocolType: '', groupState: '', groupType: '' }] });
                }, delays[Number(tag)]),
              );
            },
          },
        });
        const connection = new BrokerConnection(
          { host: broker.host, port: broker.port, nodeId: 0 },
          resolveClientOptions({ bootstrap: broker.address, maxInFlightRequestsPerConnection: limit }),
        );
        try {
          await connection.connect();
          const responses = await Promise.all(delays.map((_, i) => connection.request(ListGroups, { statesFilter: [String(i)], typesFilter: [] })));
          expect(responses.map((r) => r.groups[0]!.groupId)).toEqual(delays.map((_, i) => String(i)));
          expect(mostOutstanding).toBeLessThanOrEqual(limit);
        } finally {
          await connection.close();
          await broker.close();
        }
      }),
      { numRuns: 25 },
    );
  });
});
