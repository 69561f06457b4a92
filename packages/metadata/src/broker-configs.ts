// The broker configs kstream knows, under Kafka's names and defaults. A node
// is started with some of them set (`kstream start --config key=value`,
// `--config-file`, `startCluster({ config })`): its static broker config.
// Those that are not read-only can also be changed at run time with
// AlterConfigs, per broker or cluster-wide (dynamic broker configs), and the
// topic-level ones are the defaults of topic configs (topic-configs.ts).
import { booleanConfig, choiceConfig, doubleConfig, intConfig, listConfig, LONG_MAX_TEXT, longConfig } from './config-definition.js';
import type { ConfigDef, ConfigValue } from './config-definition.js';
import { CLEANUP_POLICIES, COMPRESSION_TYPES, TIMESTAMP_TYPES } from './topic-configs.js';

const readOnly = true;

const definitions = {
  'auto.create.topics.enable': booleanConfig('auto.create.topics.enable', {
    default: 'true',
    readOnly,
    doc: 'Create a topic when a Metadata request names one that does not exist.',
  }),
  'auto.leader.rebalance.enable': booleanConfig('auto.leader.rebalance.enable', {
    default: 'true',
    readOnly,
    doc:
      'Move leaderships back to their preferred (first) replicas: every leader.imbalance.check.interval.seconds, a broker ' +
      'leading fewer of the partitions it is preferred for than leader.imbalance.per.broker.percentage allows gets them back.',
  }),
  'broker.heartbeat.interval.ms': intConfig('broker.heartbeat.interval.ms', {
    default: '2000',
    min: 1,
    readOnly,
    doc: 'How often each broker tells the controller it is alive; below broker.session.timeout.ms.',
  }),
  'broker.session.timeout.ms': intConfig('broker.session.timeout.ms', {
    default: '9000',
    min: 1,
    readOnly,
    doc: 'A broker not heard from for this long is fenced: its leaderships move to in-sync replicas and it leaves every ISR. A broker whose thread exits is fenced at once.',
  }),
  'compression.type': choiceConfig('compression.type', {
    default: 'producer',
    values: COMPRESSION_TYPES,
    doc: 'The default compression.type of topics.',
  }),
  'config.value.max.bytes': intConfig('config.value.max.bytes', {
    default: '4096',
    min: 1,
    readOnly,
    doc:
      'The longest config value (UTF-8 bytes) CreateTopics, AlterConfigs and IncrementalAlterConfigs accept; a longer one is ' +
      'INVALID_CONFIG before it is parsed. kstream-only: Kafka has no such limit.',
  }),
  'connections.max.idle.ms': longConfig('connections.max.idle.ms', {
    default: '600000',
    readOnly,
    doc: 'Close a client connection that has been idle this long.',
  }),
  'default.replication.factor': intConfig('default.replication.factor', {
    default: '1',
    min: 1,
    readOnly,
    doc: 'The replication factor of topics created without one (or with -1).',
  }),
  'delete.topic.enable': booleanConfig('delete.topic.enable', {
    default: 'true',
    readOnly,
    doc: 'Whether DeleteTopics may delete topics.',
  }),
  'fetch.max.bytes': intConfig('fetch.max.bytes', {
    default: '57671680',
    min: 1024,
    readOnly,
    doc:
      "The most bytes a Fetch response carries: a request's maxBytes above it is lowered to it (the first batch " +
      'is still returned whole when larger, as in Kafka, so a consumer always progresses).',
  }),
  'group.initial.rebalance.delay.ms': intConfig('group.initial.rebalance.delay.ms', {
    default: '3000',
    min: 0,
    readOnly,
    doc:
      'How long the coordinator waits for more members to join a new (Empty) group before its first rebalance completes, ' +
      'each join restarting the wait up to the rebalance timeout: fewer rebalances, a later start.',
  }),
  'group.max.session.timeout.ms': intConfig('group.max.session.timeout.ms', {
    default: '1800000',
    min: 1,
    readOnly,
    doc: 'The longest session timeout a group member may ask for; a JoinGroup above it is INVALID_SESSION_TIMEOUT.',
  }),
  'group.max.size': intConfig('group.max.size', {
    default: '2147483647',
    min: 1,
    readOnly,
    doc: 'The most members a consumer group may have; a JoinGroup beyond it is GROUP_MAX_SIZE_REACHED.',
  }),
  'group.min.session.timeout.ms': intConfig('group.min.session.timeout.ms', {
    default: '6000',
    min: 1,
    readOnly,
    doc: 'The shortest session timeout a group member may ask for; a JoinGroup below it is INVALID_SESSION_TIMEOUT.',
  }),
  'leader.imbalance.check.interval.seconds': longConfig('leader.imbalance.check.interval.seconds', {
    default: '300',
    min: 1,
    readOnly,
    doc: 'How often the controller checks whether leaderships should move back to their preferred replicas.',
  }),
  'leader.imbalance.per.broker.percentage': intConfig('leader.imbalance.per.broker.percentage', {
    default: '10',
    min: 0,
    readOnly,
    doc: 'The share of the partitions a broker is the preferred replica of that may be led by others before the controller ' + 'moves them back (auto.leader.rebalance.enable).',
  }),
  'log.cleaner.backoff.ms': longConfig('log.cleaner.backoff.ms', {
    default: '15000',
    min: 0,
    readOnly,
    doc: 'How long the log cleaner waits when no compacted log needs cleaning.',
  }),
  'log.cleaner.dedupe.buffer.size': longConfig('log.cleaner.dedupe.buffer.size', {
    default: '134217728',
    min: 0,
    readOnly,
    doc: "The memory of the log cleaner's offset map, shared by its threads: 24 bytes a key; a clean whose dirty keys do not fit cleans less.",
  }),
  'log.cleaner.delete.retention.ms': longConfig('log.cleaner.delete.retention.ms', {
    default: '86400000',
    min: 0,
    doc: 'The default delete.retention.ms of topics.',
  }),
  'log.cleaner.enable': booleanConfig('log.cleaner.enable', {
    default: 'true',
    readOnly,
    doc: 'Run the log cleaner, which compacts the logs of topics with cleanup.policy compact.',
  }),
  'log.cleaner.io.buffer.load.factor': doubleConfig('log.cleaner.io.buffer.load.factor', {
    default: '0.9',
    min: 0,
    max: 1,
    readOnly,
    doc: "How full the log cleaner's offset map may get.",
  }),
  'log.cleaner.io.max.bytes.per.second': doubleConfig('log.cleaner.io.max.bytes.per.second', {
    default: '1.7976931348623157E308',
    min: 0,
    max: Number.MAX_VALUE,
    readOnly,
    doc: 'The log cleaner reads and writes at most this many bytes a second.',
  }),
  'log.cleaner.max.compaction.lag.ms': longConfig('log.cleaner.max.compaction.lag.ms', {
    default: LONG_MAX_TEXT,
    min: 1,
    doc: 'The default max.compaction.lag.ms of topics.',
  }),
  'log.cleaner.min.cleanable.ratio': doubleConfig('log.cleaner.min.cleanable.ratio', {
    default: '0.5',
    min: 0,
    max: 1,
    doc: 'The default min.cleanable.dirty.ratio of topics.',
  }),
  'log.cleaner.min.compaction.lag.ms': longConfig('log.cleaner.min.compaction.lag.ms', {
    default: '0',
    min: 0,
    doc: 'The default min.compaction.lag.ms of topics.',
  }),
  'log.cleaner.threads': intConfig('log.cleaner.threads', {
    default: '1',
    min: 0,
    readOnly,
    doc: 'The log cleaner threads; kstream cleans one log at a time in the node pool, and divides log.cleaner.dedupe.buffer.size by this.',
  }),
  'log.cleanup.policy': listConfig('log.cleanup.policy', {
    default: 'delete',
    values: CLEANUP_POLICIES,
    doc: 'The default cleanup.policy of topics.',
  }),
  'log.flush.interval.messages': longConfig('log.flush.interval.messages', {
    default: LONG_MAX_TEXT,
    min: 1,
    doc: 'The default flush.messages of topics; 1 makes every topic durable (fdatasync before the ack).',
  }),
  'log.flush.interval.ms': longConfig('log.flush.interval.ms', {
    default: null,
    min: 0,
    doc: 'The default flush.ms of topics; unset, log.flush.scheduler.interval.ms applies.',
  }),
  'log.flush.scheduler.interval.ms': longConfig('log.flush.scheduler.interval.ms', {
    default: LONG_MAX_TEXT,
    min: 0,
    doc: 'The default flush.ms of topics when log.flush.interval.ms is unset.',
  }),
  'log.index.interval.bytes': intConfig('log.index.interval.bytes', {
    default: '4096',
    min: 0,
    doc: 'The default index.interval.bytes of topics.',
  }),
  'log.index.size.max.bytes': intConfig('log.index.size.max.bytes', {
    default: '10485760',
    min: 4,
    doc: 'The default segment.index.bytes of topics.',
  }),
  'log.message.timestamp.type': choiceConfig('log.message.timestamp.type', {
    default: 'CreateTime',
    values: TIMESTAMP_TYPES,
    doc: 'The default message.timestamp.type of topics.',
  }),
  'log.open.files.max': intConfig('log.open.files.max', {
    default: '0',
    min: 0,
    readOnly,
    doc:
      "The files each broker's log may hold open at once, however many partitions it hosts: a segment's .log stays open while " +
      'used and the least recently used idle one is closed when an open finds no room (it reopens on its next read or write). ' +
      "0: half of the process's open-file limit, shared among the node's brokers. kstream-only: Kafka keeps every segment open.",
  }),
  'log.retention.bytes': longConfig('log.retention.bytes', {
    default: '-1',
    doc: 'The default retention.bytes of topics.',
  }),
  'log.retention.check.interval.ms': longConfig('log.retention.check.interval.ms', {
    default: '300000',
    min: 1,
    readOnly,
    doc: 'How often each broker applies retention to its partitions.',
  }),
  'log.retention.hours': intConfig('log.retention.hours', {
    default: '168',
    min: -1,
    doc: 'The default retention.ms of topics, in hours, when log.retention.ms and log.retention.minutes are unset.',
  }),
  'log.retention.minutes': intConfig('log.retention.minutes', {
    default: null,
    min: -1,
    doc: 'The default retention.ms of topics, in minutes, when log.retention.ms is unset.',
  }),
  'log.retention.ms': longConfig('log.retention.ms', {
    default: null,
    min: -1,
    doc: 'The default retention.ms of topics; -1 keeps segments forever.',
  }),
  'log.roll.hours': intConfig('log.roll.hours', {
    default: '168',
    min: 1,
    doc: 'The default segment.ms of topics, in hours, when log.roll.ms is unset.',
  }),
  'log.roll.ms': longConfig('log.roll.ms', {
    default: null,
    min: 1,
    doc: 'The default segment.ms of topics.',
  }),
  'log.segment.bytes': intConfig('log.segment.bytes', {
    default: '1073741824',
    min: 14,
    doc: 'The default segment.bytes of topics.',
  }),
  'log.segment.delete.delay.ms': longConfig('log.segment.delete.delay.ms', {
    default: '60000',
    min: 0,
    doc: 'The default file.delete.delay.ms of topics.',
  }),
  'max.incremental.fetch.session.cache.partitions': intConfig('max.incremental.fetch.session.cache.partitions', {
    default: '1000000',
    min: 0,
    readOnly,
    doc:
      "The most partitions all of a broker's incremental fetch sessions may hold together: a full fetch that would not fit " +
      'gets no session (it is served without one), and an incremental fetch that would grow its session past it loses the ' +
      "session (FETCH_SESSION_ID_NOT_FOUND). kstream's own: Kafka bounds only the sessions, max.incremental.fetch.session.cache.slots.",
  }),
  'max.partitions': intConfig('max.partitions', {
    default: '100000',
    min: 1,
    readOnly,
    doc:
      'The most partitions the cluster holds: CreateTopics and CreatePartitions that would go past it are POLICY_VIOLATION. ' +
      "kstream's name, from Kafka's KIP-578, which Kafka has not released.",
  }),
  'max.partitions.per.request': intConfig('max.partitions.per.request', {
    default: '10000',
    min: 1,
    readOnly,
    doc:
      'The most partitions one CreateTopics or CreatePartitions request adds: a topic asking for more is INVALID_PARTITIONS, ' +
      "the topics past it in a request POLICY_VIOLATION. kstream-only: 10000 is Kafka's KRaft controller's fixed " +
      'limit of records per user operation, which Kafka does not make a config.',
  }),
  'message.max.bytes': intConfig('message.max.bytes', {
    default: '1048588',
    min: 0,
    doc: 'The default max.message.bytes of topics: the largest record batch accepted.',
  }),
  'metadata.log.max.record.bytes.between.snapshots': longConfig('metadata.log.max.record.bytes.between.snapshots', {
    default: '20971520',
    min: 1,
    readOnly,
    doc:
      'The controller compacts its metadata log to a snapshot once this many bytes of records were appended since the last ' +
      'one, and at least as many as the snapshot holds (so the work of compacting stays in proportion to what was appended).',
  }),
  'min.insync.replicas': intConfig('min.insync.replicas', {
    default: '1',
    min: 1,
    doc: 'The default min.insync.replicas of topics.',
  }),
  'num.partitions': intConfig('num.partitions', {
    default: '1',
    min: 1,
    readOnly,
    doc: 'The partition count of topics created without one (or with -1).',
  }),
  'offset.metadata.max.bytes': intConfig('offset.metadata.max.bytes', {
    default: '4096',
    min: 0,
    readOnly,
    doc: 'The longest metadata string an OffsetCommit may attach to an offset; a longer one is OFFSET_METADATA_TOO_LARGE.',
  }),
  'offsets.commit.timeout.ms': intConfig('offsets.commit.timeout.ms', {
    default: '5000',
    min: 1,
    readOnly,
    doc: 'How long a write to __consumer_offsets (an offset commit, a group change) waits for every in-sync replica before ' + 'it is answered REQUEST_TIMED_OUT.',
  }),
  'offsets.load.buffer.size': intConfig('offsets.load.buffer.size', {
    default: '5242880',
    min: 1,
    readOnly,
    doc: 'The bytes read from __consumer_offsets at a time while a new coordinator loads a partition (a batch larger than it is read whole).',
  }),
  'offsets.retention.check.interval.ms': longConfig('offsets.retention.check.interval.ms', {
    default: '600000',
    min: 1,
    readOnly,
    doc: 'How often the coordinator looks for committed offsets past offsets.retention.minutes.',
  }),
  'offsets.retention.minutes': intConfig('offsets.retention.minutes', {
    default: '10080',
    min: 1,
    readOnly,
    doc:
      'How long the committed offsets of a group without members (or of a partition its members no longer consume) are ' +
      'kept after the group became empty (or after the commit): then they are deleted.',
  }),
  'offsets.topic.num.partitions': intConfig('offsets.topic.num.partitions', {
    default: '50',
    min: 1,
    readOnly,
    doc: 'The partition count of __consumer_offsets, created on the first FindCoordinator for a group.',
  }),
  'offsets.topic.replication.factor': intConfig('offsets.topic.replication.factor', {
    default: '3',
    min: 1,
    max: 32767,
    readOnly,
    doc: 'The replication factor of __consumer_offsets; it is not created (COORDINATOR_NOT_AVAILABLE) while fewer brokers are alive.',
  }),
  'offsets.topic.segment.bytes': intConfig('offsets.topic.segment.bytes', {
    default: '104857600',
    min: 1,
    readOnly,
    doc: 'The segment.bytes of __consumer_offsets, kept small for faster compaction and loading.',
  }),
  'producer.id.expiration.check.interval.ms': intConfig('producer.id.expiration.check.interval.ms', {
    default: '600000',
    min: 1,
    readOnly,
    doc: 'How often each partition leader and follower removes the producer ids that expired (producer.id.expiration.ms).',
  }),
  'producer.id.expiration.ms': intConfig('producer.id.expiration.ms', {
    default: '86400000',
    min: 1,
    doc: 'How long a partition keeps the state of an idempotent producer that has not written to it and has no open transaction there.',
  }),
  'queued.max.request.bytes': longConfig('queued.max.request.bytes', {
    default: '209715200',
    readOnly,
    doc: 'The bytes of partially read requests each broker may hold (each broker its own budget); a connection whose request does not fit pauses until enough is read and freed. 0 or less: unbounded (Kafka default -1).',
  }),
  'replica.fetch.backoff.ms': intConfig('replica.fetch.backoff.ms', {
    default: '1000',
    min: 0,
    readOnly,
    doc: 'How long a follower waits before fetching again from a leader after a fetch failed (a partition error, a cut channel, a timeout).',
  }),
  'replica.fetch.max.bytes': intConfig('replica.fetch.max.bytes', {
    default: '1048576',
    min: 0,
    readOnly,
    doc: 'The bytes a follower fetches per partition at most (the first batch comes whole even when larger).',
  }),
  'replica.fetch.response.max.bytes': intConfig('replica.fetch.response.max.bytes', {
    default: '10485760',
    min: 0,
    readOnly,
    doc: 'The bytes of one follower fetch response at most (the first batch comes whole even when larger).',
  }),
  'replica.fetch.wait.max.ms': intConfig('replica.fetch.wait.max.ms', {
    default: '500',
    min: 0,
    readOnly,
    doc: 'How long a follower fetch parked on its leader waits for new data; below replica.lag.time.max.ms, or followers drop out of the ISR.',
  }),
  'replica.high.watermark.checkpoint.interval.ms': longConfig('replica.high.watermark.checkpoint.interval.ms', {
    default: '5000',
    min: 1,
    readOnly,
    doc: "How often each broker writes its partitions' high watermarks to replication-offset-checkpoint.",
  }),
  'replica.lag.time.max.ms': longConfig('replica.lag.time.max.ms', {
    default: '30000',
    min: 1,
    readOnly,
    doc: 'A follower that has not caught up with its leader for this long leaves the ISR (checked every half of it).',
  }),
  'replica.socket.timeout.ms': intConfig('replica.socket.timeout.ms', {
    default: '30000',
    min: 1,
    readOnly,
    doc: 'How long a follower waits for its leader to answer beyond replica.fetch.wait.max.ms before it counts the request as lost (a cut channel, a paused broker) and backs off.',
  }),
  'request.arrival.timeout.ms': longConfig('request.arrival.timeout.ms', {
    default: '60000',
    min: 1,
    readOnly,
    doc: 'Close a connection whose request has been arriving for this long while the broker was reading it (kstream only; a slow-sending client, not an idle one).',
  }),
  'socket.request.max.bytes': intConfig('socket.request.max.bytes', {
    default: '104857600',
    min: 1,
    readOnly,
    doc: 'The largest request a broker reads; a larger size prefix closes the connection.',
  }),
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': intConfig('transaction.abort.timed.out.transaction.cleanup.interval.ms', {
    default: '10000',
    min: 1,
    readOnly,
    doc: 'How often the transaction coordinator aborts the transactions open for longer than their timeout.',
  }),
  'transaction.max.timeout.ms': intConfig('transaction.max.timeout.ms', {
    default: '900000',
    min: 1,
    doc: 'The largest transaction.timeout.ms a producer may ask for; a larger one is INVALID_TRANSACTION_TIMEOUT.',
  }),
  'transaction.partition.verification.enable': booleanConfig('transaction.partition.verification.enable', {
    default: 'true',
    doc:
      'Before appending a transactional batch whose producer has no open transaction on the partition, the partition leader asks the ' +
      "producer's transaction coordinator whether the partition is in its ongoing transaction (KIP-890), so a late batch after an abort " +
      'cannot open a transaction no marker ends.',
  }),
  'transaction.remove.expired.transaction.cleanup.interval.ms': intConfig('transaction.remove.expired.transaction.cleanup.interval.ms', {
    default: '3600000',
    min: 1,
    readOnly,
    doc: 'How often the transaction coordinator removes the transactional ids that expired (transactional.id.expiration.ms).',
  }),
  'transaction.state.log.load.buffer.size': intConfig('transaction.state.log.load.buffer.size', {
    default: '5242880',
    min: 1,
    readOnly,
    doc: 'The bytes read from __transaction_state at a time while a new coordinator loads a partition (a batch larger than it is read whole).',
  }),
  'transaction.state.log.min.isr': intConfig('transaction.state.log.min.isr', {
    default: '2',
    min: 1,
    readOnly,
    doc: 'The min.insync.replicas of __transaction_state.',
  }),
  'transaction.state.log.num.partitions': intConfig('transaction.state.log.num.partitions', {
    default: '50',
    min: 1,
    readOnly,
    doc: 'The partition count of __transaction_state, created on the first FindCoordinator for a transactional id.',
  }),
  'transaction.state.log.replication.factor': intConfig('transaction.state.log.replication.factor', {
    default: '3',
    min: 1,
    max: 32767,
    readOnly,
    doc: 'The replication factor of __transaction_state; it is not created (COORDINATOR_NOT_AVAILABLE) while fewer brokers are alive.',
  }),
  'transaction.state.log.segment.bytes': intConfig('transaction.state.log.segment.bytes', {
    default: '104857600',
    min: 1,
    readOnly,
    doc: 'The segment.bytes of __transaction_state, kept small for faster compaction and loading.',
  }),
  'transactional.id.expiration.ms': intConfig('transactional.id.expiration.ms', {
    default: '604800000',
    min: 1,
    doc: 'How long the transaction coordinator keeps a transactional id that has sent no transaction request, once its last transaction has ended.',
  }),
  'unclean.leader.election.enable': booleanConfig('unclean.leader.election.enable', {
    default: 'false',
    doc: 'The default unclean.leader.election.enable of topics.',
  }),
} satisfies Record<string, ConfigDef<unknown>>;

export type BrokerConfigName = keyof typeof definitions;

/** Every broker config by name. */
export const BROKER_CONFIGS: ReadonlyMap<string, ConfigDef<unknown>> = new Map(Object.entries(definitions));

/** Broker configs as given (validated text, only the keys that were set), e.g. a node's static config. */
export type BrokerConfigProps = Readonly<Record<string, string>>;

/** Every broker config's value, parsed, defaults filled in. Plain data: it crosses to worker threads as is. */
export type BrokerConfigValues = { readonly [K in BrokerConfigName]: ConfigValue<(typeof definitions)[K]> };

/** An unknown key in a broker's configs; the message lists the keys there are. */
export class UnknownConfigError extends Error {
  override readonly name = 'UnknownConfigError';

  constructor(
    readonly key: string,
    readonly resourceType: 'topic' | 'broker',
    known: Iterable<string>,
  ) {
    super(`Unknown ${resourceType} config name: ${key} (known: ${[...known].sort().join(', ')})`);
  }
}

/**
 * Validates broker configs given as text and returns them unchanged.
 * Throws UnknownConfigError or InvalidConfigValueError for the first bad key.
 */
export function validateBrokerConfig(props: BrokerConfigProps): BrokerConfigProps {
  for (const [key, value] of Object.entries(props)) {
    const definition = BROKER_CONFIGS.get(key);
    if (definition === undefined) throw new UnknownConfigError(key, 'broker', BROKER_CONFIGS.keys());
    definition.parse(value);
  }
  return props;
}

/**
 * Parses broker configs layered most specific first (e.g. a broker's dynamic
 * configs, the cluster-wide dynamic ones, the static ones) into a value per
 * key; keys set nowhere take their default (null for the few without one).
 */
export function resolveBrokerConfig(...layers: readonly (BrokerConfigProps | ReadonlyMap<string, string>)[]): BrokerConfigValues {
  const values: Record<string, unknown> = {};
  for (const [name, definition] of BROKER_CONFIGS) {
    const text = layers.map((layer) => lookup(layer, name)).find((v) => v !== undefined) ?? definition.defaultValue;
    values[name] = text === null ? null : definition.parse(text);
  }
  return Object.freeze(values) as BrokerConfigValues;
}

function lookup(layer: BrokerConfigProps | ReadonlyMap<string, string>, name: string): string | undefined {
  return layer instanceof Map ? layer.get(name) : Object.hasOwn(layer, name) ? (layer as BrokerConfigProps)[name] : undefined;
}
