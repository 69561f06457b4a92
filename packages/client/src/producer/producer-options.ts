import { DefaultPartitioner, type Partitioner } from '@kstream/partitioner';
import { CompressionType } from '@kstream/protocol';
import { KafkaConfigError } from '../errors/index.js';
import { booleanOption, enumOption, intOption, resolveClientOptions, stringOption, type ClientOptions, type ResolvedClientOptions } from '../options/index.js';
import { bufferSerde, type Serializer } from '../serde/index.js';
import type { Acks, CompressionName } from './producer-record.js';

/** Producer options: camelCase of the Java producer's configs, with its defaults. */
export interface ProducerOptions<K = Buffer, V = Buffer> extends ClientOptions {
  /** Default: keys are Buffers sent as they are. */
  keySerializer?: Serializer<K>;
  valueSerializer?: Serializer<V>;
  /** Default 'all'. */
  acks?: Acks;
  /** Default true: used when the brokers support InitProducerId (and acks is 'all'), else off with one warning. */
  idempotent?: boolean;
  /** Default 5. */
  lingerMs?: number;
  /** Default 16384: record bytes per batch. */
  batchSize?: number;
  /** Default 33554432: record bytes queued at most; send() waits up to maxBlockMs for room. */
  bufferMemory?: number;
  /** Default 60000: how long send() waits for buffer memory or for a topic's metadata. */
  maxBlockMs?: number;
  /** Default 'none'. */
  compression?: CompressionName;
  /** Default 120000: a record not acknowledged this long after send() fails; at least lingerMs + requestTimeoutMs. */
  deliveryTimeoutMs?: number;
  /** Default 1048576: bytes of one Produce request, and so of one record at most. */
  maxRequestSize?: number;
  /** Default DefaultPartitioner: murmur2 of the key as the Java client, sticky for records without a key. */
  partitioner?: Partitioner;
  /**
   * Makes the producer transactional (Kafka's transactional.id): records are
   * sent only within `producer.transaction()`. Needs idempotence; a second
   * producer with the same id fences this one.
   */
  transactionalId?: string;
  /** Default 60000: how long the coordinator lets a transaction stay open before aborting it. */
  transactionTimeoutMs?: number;
}

export interface ResolvedProducerOptions<K, V> {
  client: ResolvedClientOptions;
  keySerializer: Serializer<K>;
  valueSerializer: Serializer<V>;
  /** Kafka's wire value: -1 for 'all'. */
  acks: 0 | 1 | -1;
  /** Whether idempotence is wanted (it also needs the brokers' support), and whether the user asked for it explicitly. */
  idempotent: boolean;
  idempotentExplicit: boolean;
  lingerMs: number;
  batchSize: number;
  bufferMemory: number;
  maxBlockMs: number;
  compression: CompressionType;
  deliveryTimeoutMs: number;
  maxRequestSize: number;
  partitioner: Partitioner;
  /** null: not transactional. */
  transactionalId: string | null;
  transactionTimeoutMs: number;
}

const COMPRESSIONS: Record<CompressionName, CompressionType> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

/** The most batches in flight per partition the broker's idempotence tracks (Kafka's limit for enable.idempotence). */
const MAX_IN_FLIGHT_IDEMPOTENT = 5;

const INT32_MAX = 2 ** 31 - 1;

/** Validates and fills in defaults; a bad option throws KafkaConfigError naming it and what is allowed. */
export function resolveProducerOptions<K, V>(options: ProducerOptions<K, V>): ResolvedProducerOptions<K, V> {
  const client = resolveClientOptions(options);
  const acks = acksOption(options.acks);
  const idempotentExplicit = options.idempotent !== undefined;
  const idempotent = booleanOption(options, 'idempotent', true);
  const transactionalId = options.transactionalId === undefined ? null : stringOption(options, 'transactionalId', '');
  if (transactionalId !== null) checkTransactional(options, idempotent, acks, client.maxInFlightRequestsPerConnection);
  if (idempotentExplicit && idempotent && acks !== -1) {
    throw new KafkaConfigError('acks', options.acks, "'all' (or -1) when idempotent is true; set idempotent: false for acks 0 or 1");
  }
  if (idempotentExplicit && idempotent && client.maxInFlightRequestsPerConnection > MAX_IN_FLIGHT_IDEMPOTENT) {
    throw new KafkaConfigError(
      'maxInFlightRequestsPerConnection',
      client.maxInFlightRequestsPerConnection,
      `an integer from 1 to ${MAX_IN_FLIGHT_IDEMPOTENT} when idempotent is true`,
    );
  }
  const lingerMs = intOption(options, 'lingerMs', 5, 0, INT32_MAX);
  const deliveryTimeoutMs = intOption(options, 'deliveryTimeoutMs', Math.max(120_000, lingerMs + client.requestTimeoutMs), 1, INT32_MAX);
  if (deliveryTimeoutMs < lingerMs + client.requestTimeoutMs) {
    throw new KafkaConfigError('deliveryTimeoutMs', deliveryTimeoutMs, `an integer >= lingerMs + requestTimeoutMs (${lingerMs + client.requestTimeoutMs})`);
  }
  const compression = enumOption<CompressionName>(options, 'compression', 'none', Object.keys(COMPRESSIONS) as CompressionName[]);
  return {
    client,
    keySerializer: serializerOption(options, 'keySerializer') as Serializer<K>,
    valueSerializer: serializerOption(options, 'valueSerializer') as Serializer<V>,
    acks,
    idempotent: idempotent && acks === -1 && client.maxInFlightRequestsPerConnection <= MAX_IN_FLIGHT_IDEMPOTENT,
    idempotentExplicit,
    lingerMs,
    batchSize: intOption(options, 'batchSize', 16_384, 0, INT32_MAX),
    bufferMemory: intOption(options, 'bufferMemory', 33_554_432, 1),
    maxBlockMs: intOption(options, 'maxBlockMs', 60_000, 0, INT32_MAX),
    compression: COMPRESSIONS[compression],
    deliveryTimeoutMs,
    maxRequestSize: intOption(options, 'maxRequestSize', 1_048_576, 1, INT32_MAX),
    partitioner: partitionerOption(options.partitioner),
    transactionalId,
    transactionTimeoutMs: intOption(options, 'transactionTimeoutMs', 60_000, 1, INT32_MAX),
  };
}

/** A transactional producer is idempotent: each option that would turn idempotence off is refused, by name. */
function checkTransactional(options: ProducerOptions<unknown, unknown>, idempotent: boolean, acks: number, maxInFlight: number): void {
  const why = `when transactionalId is set (${JSON.stringify(options.transactionalId)}): a transactional producer is idempotent`;
  if (!idempotent) throw new KafkaConfigError('idempotent', options.idempotent, `true (or unset) ${why}`);
  if (acks !== -1) throw new KafkaConfigError('acks', options.acks, `'all' (or -1) ${why}`);
  if (maxInFlight > MAX_IN_FLIGHT_IDEMPOTENT) {
    throw new KafkaConfigError('maxInFlightRequestsPerConnection', maxInFlight, `an integer from 1 to ${MAX_IN_FLIGHT_IDEMPOTENT} ${why}`);
  }
}

function acksOption(value: unknown): 0 | 1 | -1 {
  if (value === undefined || value === 'all' || value === -1) return -1;
  if (value === 0 || value === 1) return value;
  throw new KafkaConfigError('acks', value, "0, 1, -1 or 'all'");
}

function serializerOption(options: object, key: 'keySerializer' | 'valueSerializer'): Serializer<unknown> {
  const value = (options as Record<string, unknown>)[key];
  if (value === undefined) return bufferSerde as Serializer<unknown>;
  if (typeof value !== 'object' || value === null || typeof (value as Serializer<unknown>).serialize !== 'function') {
    throw new KafkaConfigError(key, value, 'an object with serialize(value, topic) (stringSerde, jsonSerde(), bufferSerde or your own)');
  }
  return value as Serializer<unknown>;
}

function partitionerOption(value: unknown): Partitioner {
  if (value === undefined) return new DefaultPartitioner();
  const candidate = value as Partial<Partitioner> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.partition !== 'function' || typeof candidate.onNewBatch !== 'function') {
    throw new KafkaConfigError('partitioner', value, 'a Partitioner from @kstream/partitioner (partition and onNewBatch)');
  }
  return value as Partitioner;
}
