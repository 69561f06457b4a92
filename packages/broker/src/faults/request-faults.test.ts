import { FindCoordinator, Metadata, Produce, ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { BrokerMetadata } from '../metadata/broker-metadata.js';
import { faultCounters, faultRemaining, UNLIMITED } from './request-fault.js';
import type { RequestFault } from './request-fault.js';
import { errorFaultRefusal, RequestFaults } from './request-faults.js';
import { mergePartitionErrors, splitRequest } from './partitioned-apis.js';

const metadata = new BrokerMetadata(1, {});

function faults(list: Omit<RequestFault, 'slot'>[], counts: number[], brokerId = 1): { faults: RequestFaults; counters: Int32Array<SharedArrayBuffer>; list: RequestFault[] } {
  const buffer = faultCounters();
  const counters = new Int32Array(buffer);
  const withSlots = list.map((fault, slot) => ({ ...fault, slot }));
  counts.forEach((count, slot) => {
    Atomics.store(counters, slot, count);
  });
  const requestFaults = new RequestFaults(brokerId);
  requestFaults.set(withSlots, buffer);
  return { faults: requestFaults, counters, list: withSlots };
}

const produce = (topic: string, partitions: number[]) => ({
  acks: -1,
  timeoutMs: 1000,
  topicData: [{ name: topic, partitionData: partitions.map((index) => ({ index, records: null })) }],
});
const notLeader = { kind: 'error', errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER } as const;

describe('RequestFaults', () => {
  it('countIsSharedAndRunsOut', () => {
    const { faults: a, counters, list } = faults([{ id: 1, action: notLeader, api: 'Produce' }], [2]);
    const b = new RequestFaults(2);
    b.set(list, counters.buffer);
    expect(a.decide(Produce, 9, 'c', produce('t', [0]), metadata).kind).toBe('error');
    expect(b.decide(Produce, 9, 'c', produce('t', [0]), metadata).kind).toBe('error');
    expect(a.decide(Produce, 9, 'c', produce('t', [0]), metadata).kind).toBe('none');
    expect(faultRemaining(counters, list[0]!)).toBe(0);
  });

  it('unlimitedDelayNeverRunsOut', () => {
    const { faults: f, counters, list } = faults([{ id: 1, action: { kind: 'delay', ms: 5 } }], [UNLIMITED]);
    for (let i = 0; i < 3; i++) expect(f.decide(Metadata, 12, null, {}, metadata)).toEqual({ kind: 'delay', ms: 5 });
    expect(faultRemaining(counters, list[0]!)).toBe(UNLIMITED);
  });

  it('otherApiClientOrBrokerIsNotMatchedAndKeepsItsCount', () => {
    const {
      faults: f,
      counters,
      list,
    } = faults(
      [
        { id: 1, action: notLeader, api: 'Fetch' },
        { id: 2, action: notLeader, api: 'Produce', clientId: 'x' },
        { id: 3, action: notLeader, api: 'Produce', broker: 2 },
      ],
      [1, 1, 1],
    );
    expect(f.decide(Produce, 9, 'y', produce('t', [0]), metadata).kind).toBe('none');
    expect(list.map((fault) => faultRemaining(counters, fault))).toEqual([1, 1, 1]);
  });

  it('topicAndPartitionScopeMatchOnlyRequestsNamingThem', () => {
    const { faults: f } = faults([{ id: 1, action: notLeader, api: 'Produce', topic: 't', partition: 1 }], [5]);
    expect(f.decide(Produce, 9, null, produce('t', [0]), metadata).kind).toBe('none');
    expect(f.decide(Produce, 9, null, produce('u', [1]), metadata).kind).toBe('none');
    expect(f.decide(Produce, 9, null, produce('t', [0, 1]), metadata).kind).toBe('error');
  });

  it('apiVersionsIsNeverFaulted', async () => {
    const { ApiVersions } = await import('@kstream/protocol');
    const { faults: f } = faults([{ id: 1, action: { kind: 'drop' } }], [1]);
    expect(f.decide(ApiVersions, 3, null, {}, metadata).kind).toBe('none');
    expect(f.decide(FindCoordinator, 4, null, {}, metadata).kind).toBe('drop');
  });

  it('errorFaultsAreRefusedWhereTheResponseHasNoErrorCodeForThem', () => {
    expect(errorFaultRefusal('Produce', true)).toBeNull();
    expect(errorFaultRefusal('InitProducerId', false)).toBeNull();
    expect(errorFaultRefusal('FindCoordinator', false)).toBeNull();
    expect(errorFaultRefusal('Metadata', false)).toMatch(/no error code for the whole request/);
    expect(errorFaultRefusal('JoinGroup', true)).toMatch(/topic and partition scope only Produce, Fetch, ListOffsets, OffsetCommit/);
    expect(errorFaultRefusal('Nope', false)).toMatch(/no Kafka API is named "Nope"/);
  });
});

describe('partitioned APIs', () => {
  it('splitKeepsTheSparedPartitionsAndMergeAnswersTheOthers', () => {
    const { rest, removed } = splitRequest('Produce', produce('t', [0, 1, 2]), metadata, (p) => p.partition === 1);
    expect(rest['topicData']).toEqual([
      {
        name: 't',
        partitionData: [
          { index: 0, records: null },
          { index: 2, records: null },
        ],
      },
    ]);
    const served = {
      responses: [
        {
          name: 't',
          partitionResponses: [
            { index: 0, errorCode: 0, baseOffset: 5n },
            { index: 2, errorCode: 0, baseOffset: 9n },
          ],
        },
      ],
    };
    const merged = mergePartitionErrors('Produce', served, removed, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(merged['responses']).toEqual([
      {
        name: 't',
        partitionResponses: [
          { index: 0, errorCode: 0, baseOffset: 5n },
          { index: 2, errorCode: 0, baseOffset: 9n },
          { index: 1, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, baseOffset: -1n },
        ],
      },
    ]);
  });

  it('aWhollyFailedTopicGetsItsOwnEntryInAnEmptyResponse', () => {
    const { rest, removed } = splitRequest('Produce', produce('t', [0]), metadata, () => true);
    expect(rest['topicData']).toEqual([]);
    expect(mergePartitionErrors('Produce', {}, removed, ErrorCode.KAFKA_STORAGE_ERROR)['responses']).toEqual([
      { name: 't', partitionResponses: [{ index: 0, errorCode: ErrorCode.KAFKA_STORAGE_ERROR, baseOffset: -1n }] },
    ]);
  });
});
