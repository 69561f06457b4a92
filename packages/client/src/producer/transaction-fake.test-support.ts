// A fake broker that is also the transaction and group coordinator, for the
// transactional producer's tests: each transactional API answers as the
// test scripts it (by default, success), and every request is recorded.
import { AddOffsetsToTxn, AddPartitionsToTxn, EndTxn, FindCoordinator, InitProducerId, Produce, TxnOffsetCommit, type RequestOf, type ResponseOf } from '@kstream/protocol';
import type { FakeBroker, FakeHandler } from '../testing/fake-broker.test-support.js';
import { fakeBroker, initProducerIdHandler, produceHandler, producer, type WireBatch } from './producer-fake.test-support.js';
import type { ProducerOptions } from './producer-options.js';

export type AddPartitionsRequest = RequestOf<typeof AddPartitionsToTxn>;
export type TxnOffsetCommitRequest = RequestOf<typeof TxnOffsetCommit>;
export type EndTxnRequest = RequestOf<typeof EndTxn>;

/** Per API, the error code to answer the nth request (or partition) with; absent: 0. A promise delays the answer. */
export interface TxnScript {
  findCoordinator?: (keyType: number, key: string, attempt: number) => number;
  initProducerId?: FakeHandler;
  addPartitions?: (topic: string, partition: number, attempt: number) => number | Promise<number>;
  addOffsets?: (attempt: number) => number;
  txnOffsetCommit?: (topic: string, partition: number, attempt: number) => number;
  endTxn?: (request: EndTxnRequest, attempt: number) => number;
  produce?: (batch: WireBatch, attempt: number) => number;
}

export async function txnBroker(script: TxnScript = {}): Promise<FakeBroker> {
  const handlers: Record<number, FakeHandler> = {
    [InitProducerId.apiKey]: script.initProducerId ?? initProducerIdHandler(),
    [Produce.apiKey]: produceHandler(script.produce),
  };
  const broker = await fakeBroker(handlers);
  const attempts = new Map<string, number>();
  const next = (key: string): number => {
    const attempt = attempts.get(key) ?? 0;
    attempts.set(key, attempt + 1);
    return attempt;
  };
  handlers[FindCoordinator.apiKey] = (body: RequestOf<typeof FindCoordinator>, version: number): ResponseOf<typeof FindCoordinator> => {
    const keys = version >= 4 ? body.coordinatorKeys : [body.key];
    const answers = keys.map((key) => {
      const errorCode = script.findCoordinator?.(body.keyType, key, next(`find ${body.keyType} ${key}`)) ?? 0;
      return { key, nodeId: errorCode === 0 ? broker.nodeId : -1, host: broker.host, port: errorCode === 0 ? broker.port : -1, errorCode, errorMessage: null };
    });
    const first = answers[0]!;
    return { throttleTimeMs: 0, errorCode: first.errorCode, errorMessage: null, nodeId: first.nodeId, host: first.host, port: first.port, coordinators: answers };
  };
  handlers[AddPartitionsToTxn.apiKey] = async (body: AddPartitionsRequest): Promise<ResponseOf<typeof AddPartitionsToTxn>> => ({
    throttleTimeMs: 0,
    errorCode: 0,
    resultsByTransaction: [],
    resultsByTopicV3AndBelow: await Promise.all(
      body.v3AndBelowTopics.map(async (topic) => ({
        name: topic.name,
        resultsByPartition: await Promise.all(
          topic.partitions.map(async (partition) => ({
            partitionIndex: partition,
            partitionErrorCode: (await script.addPartitions?.(topic.name, partition, next(`add ${topic.name}-${partition}`))) ?? 0,
          })),
        ),
      })),
    ),
  });
  handlers[AddOffsetsToTxn.apiKey] = (): ResponseOf<typeof AddOffsetsToTxn> => ({ throttleTimeMs: 0, errorCode: script.addOffsets?.(next('addOffsets')) ?? 0 });
  handlers[TxnOffsetCommit.apiKey] = (body: TxnOffsetCommitRequest): ResponseOf<typeof TxnOffsetCommit> => ({
    throttleTimeMs: 0,
    topics: body.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: script.txnOffsetCommit?.(topic.name, p.partitionIndex, next(`offsets ${topic.name}-${p.partitionIndex}`)) ?? 0,
      })),
    })),
  });
  handlers[EndTxn.apiKey] = (body: EndTxnRequest): ResponseOf<typeof EndTxn> => ({ throttleTimeMs: 0, errorCode: script.endTxn?.(body, next('endTxn')) ?? 0 });
  return broker;
}

export function txnProducer(broker: FakeBroker, options: Partial<ProducerOptions<string, string>> = {}) {
  return producer(broker, { transactionalId: 'tx-1', ...options });
}

/** The API keys of the requests the broker got, in order, leaving out ApiVersions and Metadata. */
export function requestOrder(broker: FakeBroker): string[] {
  const names: Record<number, string> = {
    [FindCoordinator.apiKey]: 'FindCoordinator',
    [InitProducerId.apiKey]: 'InitProducerId',
    [AddPartitionsToTxn.apiKey]: 'AddPartitionsToTxn',
    [AddOffsetsToTxn.apiKey]: 'AddOffsetsToTxn',
    [TxnOffsetCommit.apiKey]: 'TxnOffsetCommit',
    [EndTxn.apiKey]: 'EndTxn',
    [Produce.apiKey]: 'Produce',
  };
  return broker.requests.flatMap((r) => (names[r.apiKey] === undefined ? [] : [names[r.apiKey]!]));
}

/** The partitions of each AddPartitionsToTxn request, as "topic-partition". */
export function addedPartitions(broker: FakeBroker): string[][] {
  return broker.requestsOf(AddPartitionsToTxn.apiKey).map((r) => (r.body as AddPartitionsRequest).v3AndBelowTopics.flatMap((t) => t.partitions.map((p) => `${t.name}-${p}`)));
}

/** Replaces the broker's handler of `apiKey` (a function of the one it had); returns the broker. */
export function replaceHandler(broker: FakeBroker, apiKey: number, make: (previous: FakeHandler) => FakeHandler): FakeBroker {
  const handlers = (broker as unknown as { handlers: Record<number, FakeHandler> }).handlers;
  handlers[apiKey] = make(handlers[apiKey]!);
  return broker;
}

/** Makes the broker answer `apiKey` `ms` later than it would. */
export function delayAnswers(broker: FakeBroker, apiKey: number, ms: number): FakeBroker {
  return replaceHandler(broker, apiKey, (previous) => async (...args: Parameters<FakeHandler>) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return previous(...args);
  });
}
