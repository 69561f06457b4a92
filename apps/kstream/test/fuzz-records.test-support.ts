// Record batches for Produce requests, valid and broken: a pool of valid
// batches (every codec, keys, headers, idempotent and transactional
// producers) is built once from the seed; each request then takes one as it
// is, several back to back, or broken — CRC wrong, cut short, a length or
// magic that lies, header fields the CRC covers changed with the CRC
// recomputed (so only the broker's own checks can catch them), or plain
// random bytes.
import { BATCH_OFFSETS, CompressionType, crc32c, encodeRecordBatch } from '@kstream/protocol';
import type { RecordBatchInput, RecordInput } from '@kstream/protocol';
import type { FuzzRandom } from './fuzz-random.test-support.js';

const POOL_SIZE = 48;
const LARGE_VALUES = [100_000, 1_100_000];
/** A fixed base timestamp, so that a seed builds the same bytes in every run. */
const BASE_TIMESTAMP = 1_767_225_600_000;
const CODECS = [CompressionType.None, CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

function record(random: FuzzRandom, i: number, valueSize: number): RecordInput {
  return {
    offsetDelta: i,
    timestampDelta: random.chance(0.9) ? i : random.int32(),
    key: random.chance(0.3) ? null : random.bytes(random.below(20)),
    value: random.chance(0.05) ? null : random.bytes(valueSize),
    headers: random.chance(0.2) ? [{ key: 'h', value: random.chance(0.5) ? null : random.bytes(4) }] : [],
  };
}

function batchInput(random: FuzzRandom, valueSize: () => number): RecordBatchInput {
  const records = Array.from({ length: random.between(1, 5) }, (_, i) => record(random, i, valueSize()));
  const producer = random.below(4);
  return {
    compression: random.pick(CODECS),
    baseTimestamp: random.chance(0.9) ? BASE_TIMESTAMP : random.pick([0, -1, 2 ** 53 - 1]),
    records,
    ...(producer === 1 && { producerId: 1000n, producerEpoch: 0, baseSequence: random.pick([0, 1, 5, 2 ** 31 - 1]) }),
    ...(producer === 2 && { producerId: 1001n, producerEpoch: 0, baseSequence: 0, isTransactional: true }),
    ...(producer === 3 && random.chance(0.2) && { isControl: true }),
  };
}

export class RecordBatchSource {
  private constructor(
    private readonly pool: readonly Buffer[],
    /** Batches with a value near and above message.max.bytes' default (1 MiB), drawn rarely. */
    private readonly large: readonly Buffer[],
  ) {}

  /** Builds the pool of valid batches from `random`. */
  static async build(random: FuzzRandom): Promise<RecordBatchSource> {
    const pool: Buffer[] = [];
    for (let i = 0; i < POOL_SIZE; i++) pool.push(await encodeRecordBatch(batchInput(random, () => random.below(300))));
    const large: Buffer[] = [];
    for (const size of LARGE_VALUES) large.push(await encodeRecordBatch({ ...batchInput(random, () => size), compression: CompressionType.None }));
    return new RecordBatchSource(pool, large);
  }

  /** The records field of one partition of a Produce request: pool buffers as they are, copies where broken. */
  draw(random: FuzzRandom): Buffer {
    if (random.chance(0.01)) return random.pick(this.large);
    const valid = (): Buffer => Buffer.from(random.pick(this.pool));
    switch (random.below(12)) {
      case 0:
        return Buffer.concat([valid(), valid(), valid()]);
      case 1:
        return flipBit(valid(), random);
      case 2: {
        const batch = valid();
        return batch.subarray(0, random.below(batch.length));
      }
      case 3:
        return withInt(valid(), BATCH_OFFSETS.batchLength, random.pick([-1, 0, 48, 2 ** 31 - 1]), false);
      case 4:
        return withByte(valid(), BATCH_OFFSETS.magic, random.pick([0, 1, 3, 0xff]));
      case 5:
        return withInt(valid(), BATCH_OFFSETS.recordCount, random.pick([-1, 0, 2, 100_000_000]), true);
      case 6:
        return withInt(valid(), BATCH_OFFSETS.lastOffsetDelta, random.pick([-1, 2 ** 31 - 1, 7]), true);
      case 7:
        return random.bytes(random.pick([0, 1, 12, 61, 200]));
      case 8:
        return Buffer.concat([valid(), random.bytes(random.between(1, 30))]);
      default:
        return random.pick(this.pool);
    }
  }
}

function flipBit(batch: Buffer, random: FuzzRandom): Buffer {
  batch[random.below(batch.length)]! ^= 1 << random.below(8);
  return batch;
}

function withByte(batch: Buffer, at: number, value: number): Buffer {
  batch[at] = value;
  return batch;
}

/** Sets an int32 header field; with `recomputeCrc` the CRC is made right again, so the lie passes a CRC check. */
function withInt(batch: Buffer, at: number, value: number, recomputeCrc: boolean): Buffer {
  batch.writeInt32BE(value | 0, at);
  if (recomputeCrc) batch.writeUInt32BE(crc32c(batch.subarray(BATCH_OFFSETS.attributes)), BATCH_OFFSETS.crc);
  return batch;
}
