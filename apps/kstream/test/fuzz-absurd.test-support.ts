// Absurd counts with everything else legal: drawn field by field, a request
// asking for 1e8 partitions mostly also carries an illegal name, factor or
// assignment, and is refused for that before its count matters. So now and
// then one topic of a CreateTopics or CreatePartitions is made legal but for
// its count — the request that once grew the controller to 5 GB.
import { CreatePartitions, CreateTopics } from '@kstream/protocol';
import type { ApiSpec } from '@kstream/protocol';
import type { FuzzRandom } from './fuzz-random.test-support.js';
import type { FuzzTargets } from './fuzz-values.test-support.js';

const ABSURD_COUNTS = [100_000_000, 2 ** 31 - 1, 1_000_000];
/** Share of CreateTopics and CreatePartitions requests that get one such topic. */
const SHARE = 0.3;

/** Makes one topic of `body` ask for an absurd partition count, legal otherwise; other APIs are left alone. */
export function makeAbsurd(api: ApiSpec, body: Record<string, unknown>, random: FuzzRandom, targets: FuzzTargets): void {
  if ((api !== CreateTopics && api !== CreatePartitions) || !random.chance(SHARE)) return;
  const topics = body['topics'] as Array<Record<string, unknown>>;
  if (topics.length === 0) topics.push({});
  const topic = topics[random.below(topics.length)]!;
  if (api === CreateTopics) {
    Object.assign(topic, {
      name: random.pick(targets.creatableTopics),
      numPartitions: random.pick(ABSURD_COUNTS),
      replicationFactor: random.between(1, targets.brokerIds.length),
      assignments: [],
      configs: [],
    });
  } else {
    Object.assign(topic, { name: random.pick(targets.topics), count: random.pick(ABSURD_COUNTS), assignments: null });
  }
}
