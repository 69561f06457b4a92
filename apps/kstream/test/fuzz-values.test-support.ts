// Edge values for the fields of well-formed requests, chosen by field name:
// counts from {-1, 0, 1, small, 2^31-1, 1e8}, offsets at the int64 limits
// and Kafka's special ones, topic names empty, long, illegal or internal,
// config names from the node's own tables with absurd values. Fields with no
// rule of their own take their type's edges or a uniform draw.
import { BROKER_CONFIGS, MAX_TOPIC_NAME_LENGTH, TOPIC_CONFIGS } from '@kstream/metadata';
import { ZERO_UUID } from '@kstream/protocol';
import type { ScalarType } from '@kstream/protocol';
import type { FuzzRandom } from './fuzz-random.test-support.js';

/** What requests may aim at: the fuzzer's own topics (never the probe topic its checks use) and the brokers. */
export interface FuzzTargets {
  /** Topics that exist when the run starts. */
  readonly topics: readonly string[];
  /** Names a request may create a topic under; a bounded set, so a long run cannot fill the disk with topics. */
  readonly creatableTopics: readonly string[];
  /** Ids of `topics`. */
  readonly topicIds: readonly string[];
  readonly brokerIds: readonly number[];
}

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** The counts the issue names: partitions, replicas, sizes. */
const COUNTS = [-1, 0, 1, 2, 3, 5, 8, INT32_MAX, 100_000_000, INT32_MIN];
const INT32_EDGES = [INT32_MIN, -2, -1, 0, 1, 2, 3, 100_000_000, INT32_MAX];
const INT16_EDGES = [-32768, -1, 0, 1, 2, 3, 4, 32767];
const INT8_EDGES = [-128, -1, 0, 1, 2, 3, 4, 8, 127];
/** Kafka's special offsets and timestamps (-1 latest, -2 earliest, -3 max timestamp) and the int64 limits. */
const INT64_EDGES = [INT64_MIN, -4n, -3n, -2n, -1n, 0n, 1n, 2n, 10n, 100_000_000n, BigInt(INT32_MAX), INT64_MAX];
const BYTE_LIMITS = [-1, 0, 1, 100, 1024, 1 << 20, 100_000_000, INT32_MAX];
/**
 * Waits stay short: a long wait is legal (a Fetch may park for maxWaitMs)
 * and a connection answers in request order, so one would only stall the
 * requests behind it.
 */
const WAITS = [-1, 0, 1, 10, 100, 500];

/** Names that are no legal topic, or only just are. */
const EDGE_TOPIC_NAMES = [
  '',
  '.',
  '..',
  'a/b',
  'with space',
  'caf\u00e9',
  'nul\u0000name',
  '__consumer_offsets',
  '__transaction_state',
  'x'.repeat(MAX_TOPIC_NAME_LENGTH),
  'x'.repeat(MAX_TOPIC_NAME_LENGTH + 1),
  'y'.repeat(30_000),
];
const ILLEGAL_NAME_CHARS = '/ :*?!\u00e9\u4e2d\\\u0000';
const NAME_CHARS = 'abcXYZ019._-';

const CONFIG_NAMES = [...TOPIC_CONFIGS.keys(), ...BROKER_CONFIGS.keys(), 'no.such.config', ''];
const CONFIG_VALUES = [
  '',
  '0',
  '-1',
  '1',
  '3',
  '2147483647',
  '2147483648',
  '9223372036854775807',
  '99999999999999999999999999',
  '-9223372036854775808',
  '1.5',
  'NaN',
  'abc',
  'true',
  'compact',
  'delete',
  'compact,delete',
  'lz4',
  'LogAppendTime',
  'z'.repeat(20_000),
];

/** The broker ids a request may name: real ones and ones that cannot exist. */
function brokerId(random: FuzzRandom, targets: FuzzTargets): number {
  return random.chance(0.6) ? random.pick(targets.brokerIds) : random.pick([0, -1, 4, 1000, INT32_MAX, INT32_MIN]);
}

export function topicName(random: FuzzRandom, targets: FuzzTargets): string {
  const roll = random.below(100);
  if (roll < 45) return random.pick(targets.topics);
  if (roll < 60) return random.pick(targets.creatableTopics);
  if (roll < 80) return random.pick(EDGE_TOPIC_NAMES);
  // Random, with at least one illegal character so it can never be created.
  const length = random.between(0, 40);
  let name = ILLEGAL_NAME_CHARS[random.below(ILLEGAL_NAME_CHARS.length)]!;
  for (let i = 0; i < length; i++) name += NAME_CHARS[random.below(NAME_CHARS.length)]!;
  return name;
}

function anyString(random: FuzzRandom): string {
  switch (random.below(6)) {
    case 0:
      return '';
    case 1:
      return 'k'.repeat(random.pick([1, 255, 256, 20_000]));
    case 2:
      return String.fromCharCode(...Array.from({ length: random.between(1, 12) }, () => random.below(0x3000)));
    default:
      return `fuzz-${random.below(1000)}`;
  }
}

function uuid(random: FuzzRandom, targets: FuzzTargets): string {
  const roll = random.below(10);
  if (roll < 5 && targets.topicIds.length > 0) return random.pick(targets.topicIds);
  if (roll < 8) return ZERO_UUID;
  const hex = random.bytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function int32(random: FuzzRandom): number {
  return random.chance(0.7) ? random.pick(INT32_EDGES) : random.int32();
}

function int64(random: FuzzRandom): bigint {
  return random.chance(0.7) ? random.pick(INT64_EDGES) : random.int64();
}

function typeEdge(type: ScalarType, random: FuzzRandom, targets: FuzzTargets): unknown {
  switch (type) {
    case 'bool':
      return random.chance(0.5);
    case 'int8':
      return random.chance(0.7) ? random.pick(INT8_EDGES) : (random.next() << 24) >> 24;
    case 'int16':
      return random.chance(0.7) ? random.pick(INT16_EDGES) : (random.next() << 16) >> 16;
    case 'uint16':
      return random.pick([0, 1, 65535, random.below(65536)]);
    case 'int32':
      return int32(random);
    case 'uint32':
      return random.pick([0, 1, 2 ** 32 - 1, random.next()]);
    case 'int64':
      return int64(random);
    case 'float64':
      return random.pick([0, -1, 1.5, Number.MAX_VALUE, Number.NaN, Number.POSITIVE_INFINITY]);
    case 'string':
      return anyString(random);
    case 'uuid':
      return uuid(random, targets);
    case 'bytes':
      return random.bytes(random.pick([0, 1, 16, 300]));
    case 'records':
      throw new Error('records are drawn by fuzz-records, not as a scalar');
  }
}

type Rule = (random: FuzzRandom, targets: FuzzTargets) => unknown;

const pick =
  <T>(values: readonly T[]): Rule =>
  (random) =>
    random.pick(values);

/** Field name → how its values are drawn, for the fields whose meaning gives them edges of their own. */
const RULES: Readonly<Record<string, Rule>> = {
  name: topicName,
  topic: topicName,
  topicNames: topicName,
  topicId: uuid,
  numPartitions: (random) => (random.chance(0.05) ? 64 : random.pick(COUNTS)),
  count: (random) => (random.chance(0.05) ? 64 : random.pick(COUNTS)),
  replicationFactor: pick(INT16_EDGES),
  brokerIds: brokerId,
  partitionIndex: pick([0, 0, 1, 2, 3, -1, 7, 100_000_000, INT32_MAX, INT32_MIN]),
  partition: pick([0, 0, 1, 2, 3, -1, 7, 100_000_000, INT32_MAX, INT32_MIN]),
  partitions: pick([0, 0, 1, 2, 3, -1, 7, 100_000_000, INT32_MAX, INT32_MIN]),
  index: pick([0, 0, 1, 2, 3, -1, 7, INT32_MAX]),
  maxBytes: pick(BYTE_LIMITS),
  partitionMaxBytes: pick(BYTE_LIMITS),
  minBytes: pick(BYTE_LIMITS),
  maxWaitMs: pick(WAITS),
  timeoutMs: pick(WAITS),
  acks: pick([-1, -1, 1, 1, 0, 2, -2, 32767]),
  replicaId: (random, targets) => (random.chance(0.7) ? random.pick([-1, -1, -2]) : brokerId(random, targets)),
  isolationLevel: pick([0, 1, 2, -1, 127]),
  resourceType: pick([2, 2, 4, 4, 8, 0, 1, -1, 127]),
  resourceName: (random, targets) => (random.chance(0.5) ? topicName(random, targets) : random.pick(['', '1', '2', '3', '0', '-1', '99', '2147483648', 'x'])),
  configOperation: pick([0, 1, 2, 3, -1, 4, 127]),
  configurationKeys: pick(CONFIG_NAMES),
  keyType: pick([0, 0, 1, 1, 2, -1, 127]),
  endpointType: pick([1, 2, 0, -1, 127]),
  sessionId: pick([0, 0, 1, -1, INT32_MAX]),
  sessionEpoch: pick([-1, -1, 0, 1, INT32_MAX]),
  maxNumOffsets: pick([1, 0, -1, INT32_MAX]),
};

/** Config entries ({name, value}) are drawn together, so that names meet values meant for them. */
export function configName(random: FuzzRandom): string {
  return random.pick(CONFIG_NAMES);
}

export function configValue(random: FuzzRandom): string | null {
  if (random.chance(0.1)) return null;
  return random.chance(0.7) ? random.pick(CONFIG_VALUES) : String(random.int32());
}

/** A value for scalar field `name` of `type` (an array's element when the field is an array). */
export function scalarValue(name: string, type: ScalarType, random: FuzzRandom, targets: FuzzTargets): unknown {
  const rule = RULES[name];
  // Rules draw from a field's meaning most of the time; the rest are its type's edges, so the rules cannot hide one.
  if (rule !== undefined && random.chance(0.9)) return rule(random, targets);
  return typeEdge(type, random, targets);
}
