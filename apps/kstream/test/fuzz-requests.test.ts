// The fuzzer's request generator on its own, no cluster: what it draws must be
// well-formed (it encodes and decodes back with our schema) for every API and
// version a broker advertises, and a fixed seed must reach the admin APIs
// with absurd partition counts early, since CI runs only the start of it.
import { brokerHandlers } from '@kstream/broker';
import { apiByKey, CreatePartitions, CreateTopics, decodeRequestBody, encodeRequestBody, parseVersionRange } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { FuzzRandom } from './fuzz-random.test-support.js';
import { RecordBatchSource } from './fuzz-records.test-support.js';
import { RequestGenerator } from './fuzz-requests.test-support.js';
import type { AdvertisedApiSpec } from './fuzz-requests.test-support.js';
import type { FuzzTargets } from './fuzz-values.test-support.js';
import { CI_FUZZ_REQUESTS, CI_FUZZ_SEEDS } from './fuzz-seeds.test-support.js';

const TARGETS: FuzzTargets = {
  topics: ['fuzz-a', 'fuzz-b'],
  creatableTopics: ['fuzz-new-0'],
  topicIds: ['6f1c1c6e-8a3c-4c55-9a57-3d1f0f6c1a01'],
  brokerIds: [1, 2, 3],
};

/** What the brokers advertise, as ApiVersions tells a client. */
const ADVERTISED: AdvertisedApiSpec[] = brokerHandlers.advertised.map(({ apiKey, minVersion, maxVersion }) => ({
  api: apiByKey(apiKey)!,
  versions: Array.from({ length: maxVersion - minVersion + 1 }, (_, i) => minVersion + i),
}));

async function generator(seed: number): Promise<{ random: FuzzRandom; requests: RequestGenerator }> {
  const random = new FuzzRandom(seed);
  return { random, requests: new RequestGenerator(ADVERTISED, TARGETS, await RecordBatchSource.build(random)) };
}

describe('the fuzzer request generator', () => {
  it('wellFormedForEveryAdvertisedVersion: each drawn request encodes, and decodes to the same bytes', async () => {
    const { random, requests } = await generator(7);
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const { api, version, body } = requests.next(random);
      // Versions the schema does not define (Produce v0–2) are refused by brokers at the header; the driver sends them as the oldest defined.
      if (version < parseVersionRange(api.validVersions).min) continue;
      seen.add(`${api.name} v${version}`);
      const encoded = encodeRequestBody(api, version, body as never);
      // Decoding fills the fields a version lacks with defaults, so bytes are compared, not bodies.
      expect(encodeRequestBody(api, version, decodeRequestBody(api, version, encoded)).equals(encoded), `${api.name} v${version}`).toBe(true);
    }
    const expected = ADVERTISED.flatMap(({ api, versions }) => versions.filter((v) => v >= parseVersionRange(api.validVersions).min).map((v) => `${api.name} v${v}`));
    expect([...seen].sort()).toEqual(expected.sort());
  }, 60_000);

  it.each(CI_FUZZ_SEEDS)(
    'absurdAdminCountsEarly: seed %i asks, within the CI run, for 100,000,000+ partitions of a new topic with a legal name and factor, and of an existing one',
    async (seed) => {
      const { random, requests } = await generator(seed);
      const absurd = new Set<string>();
      for (let i = 0; i < CI_FUZZ_REQUESTS; i++) {
        const { api, body } = requests.next(random);
        const topics = (body['topics'] ?? []) as Array<Record<string, unknown>>;
        const creatable = (t: Record<string, unknown>): boolean =>
          TARGETS.creatableTopics.includes(t['name'] as string) && [1, 2, 3].includes(t['replicationFactor'] as number) && (t['assignments'] as unknown[]).length === 0;
        if (api === CreateTopics && topics.some((t) => (t['numPartitions'] as number) >= 100_000_000 && creatable(t))) absurd.add(api.name);
        const existing = (t: Record<string, unknown>): boolean => TARGETS.topics.includes(t['name'] as string) && ((t['assignments'] as unknown[] | null)?.length ?? 0) === 0;
        if (api === CreatePartitions && topics.some((t) => (t['count'] as number) >= 100_000_000 && existing(t))) absurd.add(api.name);
      }
      expect([...absurd].sort()).toEqual(['CreatePartitions', 'CreateTopics']);
    },
  );
});
