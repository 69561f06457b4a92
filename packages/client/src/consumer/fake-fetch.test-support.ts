// Scripted brokers for the consumer's unit tests: Fetch responses built
// from a per-partition answer, record batches of string values, a consumer
// of string values pointed at a fake broker, all closed after each test.
import { encodeRecordBatch, type Fetch, type RequestOf, type ResponseOf } from '@kstream/protocol';
import { afterEach } from 'vitest';
import { stringSerde } from '../serde/index.js';
import { FakeBroker } from '../testing/fake-broker.test-support.js';
import { Consumer } from './consumer.js';
import type { ConsumerOptions } from './consumer-options.js';

export type FetchRequest = RequestOf<typeof Fetch>;
type PartitionResponse = ResponseOf<typeof Fetch>['responses'][number]['partitions'][number];

const brokers: FakeBroker[] = [];
const consumers: Consumer<string, string>[] = [];

afterEach(async () => {
  await Promise.allSettled(consumers.splice(0).map((c) => c.close()));
  await Promise.allSettled(brokers.splice(0).map((b) => b.close()));
});

export async function broker(options: Parameters<typeof FakeBroker.start>[0]): Promise<FakeBroker> {
  const b = await FakeBroker.start(options);
  brokers.push(b);
  return b;
}

export function consumer(bootstrap: FakeBroker, options: Partial<ConsumerOptions<string, string>> = {}): Consumer<string, string> {
  const c = new Consumer<string, string>({
    bootstrap: bootstrap.address,
    valueDeserializer: stringSerde,
    fetchMaxWaitMs: 20,
    retryBackoffMs: 20,
    ...options,
  });
  consumers.push(c);
  return c;
}

function partitionResponse(partitionIndex: number, fields: Partial<PartitionResponse>): PartitionResponse {
  return {
    partitionIndex,
    errorCode: 0,
    highWatermark: 0n,
    lastStableOffset: -1n,
    logStartOffset: 0n,
    divergingEpoch: { epoch: -1, endOffset: -1n },
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    snapshotId: { endOffset: -1n, epoch: -1 },
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: null,
    ...fields,
  };
}

/** A Fetch response answering every partition asked for with `answer`. */
export function fetchResponse(
  request: FetchRequest,
  answer: (topic: string, partition: number, fetchOffset: bigint) => Partial<PartitionResponse>,
  extra: Partial<ResponseOf<typeof Fetch>> = {},
): ResponseOf<typeof Fetch> {
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: request.topics.map((t) => ({
      topic: t.topic,
      topicId: t.topicId,
      partitions: t.partitions.map((p) => partitionResponse(p.partition, answer(t.topic, p.partition, p.fetchOffset))),
    })),
    nodeEndpoints: [],
    ...extra,
  };
}

export async function records(baseOffset: bigint, values: readonly string[]): Promise<Buffer> {
  return encodeRecordBatch({ baseOffset, records: values.map((v) => ({ key: null, value: Buffer.from(v) })) });
}

export async function pollValues(c: Consumer<string, string>, count: number): Promise<string[]> {
  const got: string[] = [];
  const deadline = Date.now() + 5_000;
  while (got.length < count && Date.now() < deadline) {
    for (const batch of await c.poll({ timeoutMs: 100 })) got.push(...batch.records.map((r) => r.value!));
  }
  return got;
}
