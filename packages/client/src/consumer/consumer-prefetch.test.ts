// The issue's "next fetch in flight while the application processes the
// current batch": after poll() hands over a batch, the consumer asks the
// broker for what follows before the application polls again.
import { Fetch } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { broker, consumer, fetchResponse, records, type FetchRequest } from './fake-fetch.test-support.js';

const BATCHES = 4;
const PER_BATCH = 3;

describe('Consumer prefetch', () => {
  it('theNextFetchIsSentWhileTheApplicationHoldsABatch', async () => {
    const batches = await Promise.all(
      Array.from({ length: BATCHES }, (_, b) =>
        records(
          BigInt(b * PER_BATCH),
          Array.from({ length: PER_BATCH }, (_, i) => `v${b * PER_BATCH + i}`),
        ),
      ),
    );
    const fetchOffsets: bigint[] = [];
    const fake = await broker({
      nodeId: 1,
      topics: { t: 1 },
      handlers: {
        [Fetch.apiKey]: (request: FetchRequest) =>
          fetchResponse(request, (_t, _p, fetchOffset) => {
            fetchOffsets.push(fetchOffset);
            // One batch per response, so the consumer must come back for the next.
            const index = Number(fetchOffset) / PER_BATCH;
            return Number.isInteger(index) && index < BATCHES ? { records: batches[index]!, highWatermark: BigInt(BATCHES * PER_BATCH) } : {};
          }),
      },
    });
    const c = consumer(fake, { fetchMaxWaitMs: 50 });
    c.assign([{ topic: 't', partition: 0 }]);
    c.seek({ topic: 't', partition: 0 }, 0n);

    const first = await c.poll({ timeoutMs: 5_000 });
    expect(first.flatMap((b) => b.records.map((r) => r.value))).toEqual(['v0', 'v1', 'v2']);
    // The application now "works" on the batch and does not poll: the fetches for what follows still go out.
    const deadline = Date.now() + 2_000;
    while (!fetchOffsets.includes(BigInt(PER_BATCH)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(fetchOffsets).toContain(BigInt(PER_BATCH));

    const rest: string[] = [];
    while (rest.length < (BATCHES - 1) * PER_BATCH) for (const batch of await c.poll({ timeoutMs: 5_000 })) rest.push(...batch.records.map((r) => r.value!));
    expect(rest).toEqual(Array.from({ length: (BATCHES - 1) * PER_BATCH }, (_, i) => `v${i + PER_BATCH}`));
  });
});
