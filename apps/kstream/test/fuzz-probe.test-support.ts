// The fuzzer's witness topic: one partition with one replica (brokers do not
// replicate yet, so a larger ISR would hold the high watermark), its own
// configs pinned (so a fuzzed broker-wide default cannot expire or refuse
// its records), never named by a fuzzed request. Each health check produces
// a record to it and reads it back; the last check reads back every record
// ever acknowledged.
import { CreateTopics, decodeRecordBatches, encodeRecordBatch, Produce } from '@kstream/protocol';
import { errorName, RawConnection } from './raw-connection.test-support.js';
import { fetchPartition, leaders, PRODUCE_VERSION } from './raw-requests.test-support.js';

export const PROBE_TOPIC = 'fuzz-probe';
const PARTITION = 0;
const PINNED_CONFIGS = {
  'cleanup.policy': 'delete',
  'retention.ms': '-1',
  'retention.bytes': '-1',
  'max.message.bytes': '1048588',
  'min.insync.replicas': '1',
  'message.timestamp.type': 'CreateTime',
};

export class ProbeTopic {
  /** Every record acknowledged so far: value by offset. */
  readonly #acknowledged = new Map<bigint, string>();

  constructor(private readonly ports: ReadonlyMap<number, number>) {}

  get acknowledged(): number {
    return this.#acknowledged.size;
  }

  async create(): Promise<void> {
    await this.#withBroker(1, async (conn) => {
      const response = await conn.request(CreateTopics, 7, {
        topics: [
          {
            name: PROBE_TOPIC,
            numPartitions: 1,
            replicationFactor: 1,
            assignments: [],
            configs: Object.entries(PINNED_CONFIGS).map(([name, value]) => ({ name, value })),
          },
        ],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      const result = response.topics[0]!;
      if (result.errorCode !== 0) throw new Error(`CreateTopics ${PROBE_TOPIC}: ${errorName(result.errorCode)} ${result.errorMessage}`);
    });
  }

  /** Produces one record to the leader, reads it back at the offset it got; throws naming what went wrong. */
  async produceAndFetch(value: string): Promise<void> {
    const leader = await this.#leader();
    await this.#withBroker(leader, async (conn) => {
      const batch = await encodeRecordBatch({ records: [{ key: null, value: Buffer.from(value) }] });
      // acks=-1: acknowledged means on every replica in the ISR, below the high watermark, readable at once.
      const response = await conn.request(Produce, PRODUCE_VERSION, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 10_000,
        topicData: [{ name: PROBE_TOPIC, partitionData: [{ index: PARTITION, records: batch }] }],
      });
      const answer = response.responses[0]?.partitionResponses[0];
      if (answer === undefined || answer.errorCode !== 0) {
        throw new Error(`Produce (acks=-1) to ${PROBE_TOPIC}-${PARTITION} on its leader, broker ${leader}: ${answer === undefined ? 'no answer' : errorName(answer.errorCode)}`);
      }
      this.#acknowledged.set(answer.baseOffset, value);
      const stored = await this.#read(conn, answer.baseOffset, answer.baseOffset + 1n);
      if (stored.get(answer.baseOffset) !== value) {
        throw new Error(`${PROBE_TOPIC}-${PARTITION} offset ${answer.baseOffset} reads back ${JSON.stringify(stored.get(answer.baseOffset))}, not ${JSON.stringify(value)}`);
      }
    });
  }

  /** Reads the partition from offset 0 and checks every acknowledged record is there, at its offset. */
  async verifyAll(): Promise<void> {
    if (this.#acknowledged.size === 0) return;
    const end = [...this.#acknowledged.keys()].reduce((a, b) => (a > b ? a : b)) + 1n;
    await this.#withBroker(await this.#leader(), async (conn) => {
      const stored = await this.#read(conn, 0n, end);
      for (const [offset, value] of this.#acknowledged) {
        if (stored.get(offset) !== value) {
          throw new Error(
            `acknowledged record lost: ${PROBE_TOPIC}-${PARTITION} offset ${offset} should hold ${JSON.stringify(value)}, reads ${JSON.stringify(stored.get(offset))}`,
          );
        }
      }
    });
  }

  async #read(conn: RawConnection, from: bigint, end: bigint): Promise<Map<bigint, string | null>> {
    const values = new Map<bigint, string | null>();
    for (let next = from; next < end; ) {
      const fetched = await fetchPartition(conn, PROBE_TOPIC, PARTITION, next);
      if (fetched.errorCode !== 0) throw new Error(`Fetch ${PROBE_TOPIC}-${PARTITION} at ${next}: ${errorName(fetched.errorCode)}`);
      const batches = await decodeRecordBatches(fetched.records ?? Buffer.alloc(0));
      if (batches.length === 0) throw new Error(`Fetch ${PROBE_TOPIC}-${PARTITION} at ${next} returned no batch below offset ${end} (high watermark ${fetched.highWatermark})`);
      for (const b of batches) {
        for (const r of b.records) {
          const offset = b.header.baseOffset + BigInt(r.offsetDelta);
          values.set(offset, r.value?.toString() ?? null);
          if (offset >= next) next = offset + 1n;
        }
      }
    }
    return values;
  }

  async #leader(): Promise<number> {
    const leader = await this.#withBroker(1, async (conn) => (await leaders(conn, PROBE_TOPIC)).get(PARTITION));
    if (leader === undefined || leader < 0) throw new Error(`Metadata for ${PROBE_TOPIC} names no leader of partition ${PARTITION}`);
    return leader;
  }

  async #withBroker<T>(id: number, use: (conn: RawConnection) => Promise<T>): Promise<T> {
    const port = this.ports.get(id);
    if (port === undefined) throw new Error(`no broker ${id}`);
    const conn = await RawConnection.open(port);
    try {
      return await use(conn);
    } finally {
      conn.close();
    }
  }
}
