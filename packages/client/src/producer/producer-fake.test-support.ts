// A producer wired to fake brokers for unit tests: Produce and InitProducerId
// handlers that answer as scripted, and the batches as they were on the wire.
import { type InitProducerId, Produce, readBatchHeader, type RequestOf, type ResponseOf } from '@kstream/protocol';
import { afterEach } from 'vitest';
import { stringSerde } from '../serde/index.js';
import { FakeBroker, type FakeApiRange, type FakeHandler } from '../testing/fake-broker.test-support.js';
import { Producer } from './producer.js';
import type { ProducerOptions } from './producer-options.js';

export type ProduceRequest = RequestOf<typeof Produce>;
export type ProduceResponse = ResponseOf<typeof Produce>;

/** A batch as the fake broker saw it on the wire. */
export interface WireBatch {
  topic: string;
  partition: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  bytes: Buffer;
}

export function wireBatches(request: ProduceRequest): WireBatch[] {
  return request.topicData.flatMap((t) =>
    t.partitionData.map((p) => {
      const header = readBatchHeader(p.records!)!;
      return { topic: t.name, partition: p.index, ...header, bytes: p.records! };
    }),
  );
}

/** Answers every partition of a Produce request with `errorFor`'s code (0: appended at the partition's next offset). */
export function produceHandler(errorFor: (batch: WireBatch, attempt: number) => number = () => 0): FakeHandler {
  const nextOffset = new Map<string, bigint>();
  const attempts = new Map<string, number>();
  return (body: ProduceRequest): ProduceResponse => ({
    responses: body.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => {
        const batch = { topic: t.name, partition: p.index, ...readBatchHeader(p.records!)!, bytes: p.records! };
        const id = `${t.name}-${p.index}:${batch.baseSequence}`;
        const attempt = attempts.get(id) ?? 0;
        attempts.set(id, attempt + 1);
        const errorCode = errorFor(batch, attempt);
        const key = `${t.name}-${p.index}`;
        const baseOffset = nextOffset.get(key) ?? 0n;
        if (errorCode === 0) nextOffset.set(key, baseOffset + BigInt(batch.recordCount));
        return {
          index: p.index,
          errorCode,
          baseOffset: errorCode === 0 ? baseOffset : -1n,
          logAppendTimeMs: -1n,
          logStartOffset: 0n,
          recordErrors: [],
          errorMessage: null,
          currentLeader: { leaderId: -1, leaderEpoch: -1 },
        };
      }),
    })),
    throttleTimeMs: 0,
    nodeEndpoints: [],
  });
}

export function initProducerIdHandler(producerId = 42n, firstEpoch = 3): FakeHandler {
  let epoch = firstEpoch;
  return (): ResponseOf<typeof InitProducerId> => ({ throttleTimeMs: 0, errorCode: 0, producerId, producerEpoch: epoch++ });
}

const brokers: FakeBroker[] = [];
const producers: Producer<string, string>[] = [];

/** Closes what the test started; every test file using these helpers gets it. */
afterEach(async () => {
  await Promise.allSettled(producers.splice(0).map((p) => p.close({ timeoutMs: 1_000 })));
  await Promise.allSettled(brokers.splice(0).map((b) => b.close()));
});

export async function fakeBroker(handlers: Record<number, FakeHandler>, apiVersions?: readonly FakeApiRange[]): Promise<FakeBroker> {
  const broker = await FakeBroker.start({ handlers, topics: { orders: 2 }, ...(apiVersions === undefined ? {} : { apiVersions }) });
  brokers.push(broker);
  return broker;
}

export function producer(broker: FakeBroker, options: Partial<ProducerOptions<string, string>> = {}): Producer<string, string> {
  const p = new Producer<string, string>({
    bootstrap: broker.address,
    keySerializer: stringSerde,
    valueSerializer: stringSerde,
    lingerMs: 0,
    retryBackoffMs: 10,
    retryBackoffMaxMs: 20,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    ...options,
  });
  producers.push(p);
  return p;
}

export const sentBatches = (broker: FakeBroker): WireBatch[] => broker.requestsOf(Produce.apiKey).flatMap((r) => wireBatches(r.body as ProduceRequest));
