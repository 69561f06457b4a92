// What a fuzz run learns and makes before its first fuzzed request: the APIs
// and versions the broker advertises (ApiVersions, as a client learns them),
// the probe topic, and a few topics for the fuzzed requests to aim at.
import { brokerHandlers, handledVersions } from '@kstream/broker';
import { apiByKey, ApiVersions, CreateTopics, inVersionRange, Metadata, ZERO_UUID } from '@kstream/protocol';
import type { AdvertisedApiSpec } from './fuzz-requests.test-support.js';
import type { FuzzTargets } from './fuzz-values.test-support.js';
import { errorName, type RawConnection } from './raw-connection.test-support.js';

/** Topics made at the start, as [name, partitions, replication factor]. */
const FUZZ_TOPICS: ReadonlyArray<readonly [string, number, number]> = [
  ['fuzz-a', 1, 1],
  ['fuzz-b', 3, 3],
  ['fuzz-c', 2, 2],
];
/** Names fuzzed requests may create topics under: few, so that a long run keeps few topics. */
const CREATABLE_TOPICS = Array.from({ length: 12 }, (_, i) => `fuzz-new-${i}`);

/** The APIs broker `conn` advertises, each with every version in its range. */
export async function advertisedApis(conn: RawConnection): Promise<AdvertisedApiSpec[]> {
  const response = await conn.request(ApiVersions, 3, { clientSoftwareName: 'kstream-fuzz', clientSoftwareVersion: '1' });
  if (response.errorCode !== 0) throw new Error(`ApiVersions v3: ${errorName(response.errorCode)}`);
  return response.apiKeys.map(({ apiKey, minVersion, maxVersion }) => {
    const api = apiByKey(apiKey);
    if (api === undefined) throw new Error(`the broker advertises apiKey ${apiKey}, which has no schema in @kstream/protocol`);
    return { api, versions: Array.from({ length: maxVersion - minVersion + 1 }, (_, i) => minVersion + i) };
  });
}

/** Whether a broker serves `version` of `apiKey`, rather than advertising it only to close the connection (Produce v0–2). */
export function served(apiKey: number, version: number): boolean {
  const handler = brokerHandlers.handlerFor(apiKey);
  return handler !== undefined && inVersionRange(handledVersions(handler), version);
}

/** Creates the fuzz topics and returns what requests may aim at. */
export async function createTargets(conn: RawConnection, brokerIds: readonly number[]): Promise<FuzzTargets> {
  const created = await conn.request(CreateTopics, 7, {
    topics: FUZZ_TOPICS.map(([name, numPartitions, replicationFactor]) => ({ name, numPartitions, replicationFactor, assignments: [], configs: [] })),
    timeoutMs: 30_000,
    validateOnly: false,
  });
  for (const t of created.topics) {
    if (t.errorCode !== 0) throw new Error(`CreateTopics ${t.name}: ${errorName(t.errorCode)} ${t.errorMessage}`);
  }
  const metadata = await conn.request(Metadata, 12, {
    topics: FUZZ_TOPICS.map(([name]) => ({ topicId: ZERO_UUID, name })),
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  });
  return {
    topics: FUZZ_TOPICS.map(([name]) => name),
    creatableTopics: CREATABLE_TOPICS,
    topicIds: metadata.topics.map((t) => t.topicId),
    brokerIds,
  };
}
