import { encodeResponse, Fetch, Metadata, Produce } from '@kstream/protocol';
import type { ResponseOf } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { encodeResponseFrame } from './response-frame.js';

function fetchResponse(records: (Buffer | null)[]): ResponseOf<typeof Fetch> {
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 9,
    responses: [
      {
        topic: 't',
        topicId: '00000000-0000-0000-0000-000000000001',
        partitions: records.map((r, partitionIndex) => ({
          partitionIndex,
          errorCode: 0,
          highWatermark: 10n,
          lastStableOffset: 10n,
          logStartOffset: 0n,
          // A tagged field after the records: its size prefix must not count them.
          divergingEpoch: { epoch: 3, endOffset: 5n },
          currentLeader: { leaderId: 1, leaderEpoch: 2 },
          snapshotId: { endOffset: -1n, epoch: -1 },
          abortedTransactions: null,
          preferredReadReplica: -1,
          records: r,
        })),
      },
    ],
    nodeEndpoints: [{ nodeId: 1, host: 'h', port: 9092, rack: null }],
  };
}

describe('encodeResponseFrame', () => {
  it('largeRecordsAreNotCopied: the records Buffers are parts of the frame, which equals the copying encoder byte for byte', () => {
    const big = Buffer.alloc(64 * 1024, 1);
    const other = Buffer.alloc(20 * 1024, 2);
    for (const version of [4, 11, 12, 16]) {
      const body = fetchResponse([big, Buffer.from('small'), null, other]);
      const parts = encodeResponseFrame(Fetch, version, 42, body);
      expect(parts).toContain(big);
      expect(parts).toContain(other);
      expect(Buffer.concat(parts)).toEqual(encodeResponse(Fetch, version, 42, body));
    }
  });

  it('smallResponseIsOneBuffer: without large fields the frame is a single Buffer', () => {
    const body: ResponseOf<typeof Produce> = { responses: [], throttleTimeMs: 0, nodeEndpoints: [] };
    for (const version of [3, 9, 11]) {
      const parts = encodeResponseFrame(Produce, version, 1, body);
      expect(parts).toHaveLength(1);
      expect(parts[0]).toEqual(encodeResponse(Produce, version, 1, body));
    }
  });

  it('encodeErrorNamesTheField: a value the version cannot carry throws, and the next frame encodes cleanly', () => {
    const bad = { ...fetchResponse([Buffer.alloc(32 * 1024)]), sessionId: 2 ** 40 };
    expect(() => encodeResponseFrame(Fetch, 12, 1, bad)).toThrow(/Fetch v12 response: sessionId/);
    const body = fetchResponse([Buffer.alloc(32 * 1024, 3)]);
    expect(Buffer.concat(encodeResponseFrame(Fetch, 12, 2, body))).toEqual(encodeResponse(Fetch, 12, 2, body));
  });

  it('metadataResponseMatches: a response with no bytes fields at all encodes as the copying encoder does', () => {
    const body = {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: 'h', port: 1, rack: null }],
      clusterId: 'c',
      controllerId: 1,
      topics: [],
      clusterAuthorizedOperations: -2147483648,
    } as unknown as ResponseOf<typeof Metadata>;
    expect(Buffer.concat(encodeResponseFrame(Metadata, 12, 5, body))).toEqual(encodeResponse(Metadata, 12, 5, body));
  });
});
