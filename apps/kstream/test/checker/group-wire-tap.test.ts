// The wire tap reads what a member heard without changing a byte: a fake
// coordinator (a TCP server answering canned responses) on one side, frames
// written through the tap's socket on the other.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { decodeRequest, encodeAssignment, encodeRequest, encodeResponse, ErrorCode, FrameReader, OffsetCommit, SyncGroup } from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupHistoryRecorder } from './group-history.test-support.js';
import { GroupWireTap } from './group-wire-tap.test-support.js';
import { HistoryRecorder } from './history.test-support.js';

const TOPIC = 'checked';

/** A server answering each request with `answer(frame)`'s response frame, or nothing when it returns null. */
async function fakeCoordinator(answer: (frame: Buffer) => Buffer | null): Promise<{ server: Server; port: number }> {
  const server = createServer((socket: Socket) => {
    const frames = new FrameReader(1 << 20);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of frames.push(chunk)) {
        const response = answer(Buffer.from(frame));
        if (response !== null) socket.write(response);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function tapped(port: number): Promise<{ tap: GroupWireTap; recorder: GroupHistoryRecorder; socket: Socket }> {
  const recorder = new GroupHistoryRecorder(new HistoryRecorder(1, TOPIC), 'group-1');
  const tap = new GroupWireTap('member-1', recorder);
  const socket = await new Promise<Socket>((resolve) => {
    const s: Socket = tap.socketFactory({ host: '127.0.0.1', port, ssl: {}, onConnect: () => resolve(s) });
  });
  return { tap, recorder, socket };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

const commitRequest = encodeRequest(OffsetCommit, 5, 2, 'member-1', {
  groupId: 'group-1',
  generationIdOrMemberEpoch: 7,
  memberId: 'm-1',
  groupInstanceId: null,
  retentionTimeMs: -1n,
  topics: [
    {
      name: TOPIC,
      partitions: [0, 1, 2].map((p) => ({ partitionIndex: p, committedOffset: BigInt(10 + p), committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null })),
    },
  ],
});

let servers: Server[] = [];
afterEach(() => {
  for (const s of servers) s.close();
  servers = [];
});

describe('group wire tap', () => {
  it('syncAnswerRecordsTheGenerationAndThisTopicsPartitions: the assignment of SyncGroup NONE, other topics left out', async () => {
    const { server, port } = await fakeCoordinator((frame) => {
      const { header } = decodeRequest(frame);
      const assignment = encodeAssignment(
        {
          assignedPartitions: [
            { topic: TOPIC, partitions: [1, 4] },
            { topic: 'other', partitions: [0] },
          ],
          userData: null,
        },
        0,
      );
      return encodeResponse(SyncGroup, header.apiVersion, header.correlationId, { throttleTimeMs: 0, errorCode: 0, protocolType: null, protocolName: null, assignment });
    });
    servers.push(server);
    const { tap, recorder, socket } = await tapped(port);
    socket.write(
      encodeRequest(SyncGroup, 3, 1, 'member-1', {
        groupId: 'group-1',
        generationId: 7,
        memberId: 'm-1',
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments: [],
      }),
    );
    await until(() => recorder.assignments.length > 0);
    expect(recorder.assignments.map(({ at: _at, ...a }) => a)).toEqual([{ consumer: 'member-1', memberId: 'm-1', generation: 7, partitions: [1, 4] }]);
    expect(tap.member).toEqual({ memberId: 'm-1', generation: 7, partitions: new Set([1, 4]) });
    tap.kill();
  });

  it('commitAnswersClassified: NONE acknowledged, ILLEGAL_GENERATION refused, NOT_COORDINATOR indeterminate, with the request generation', async () => {
    const errors = [ErrorCode.NONE, ErrorCode.ILLEGAL_GENERATION, ErrorCode.NOT_COORDINATOR];
    const { server, port } = await fakeCoordinator((frame) => {
      const { header } = decodeRequest(frame);
      return encodeResponse(OffsetCommit, header.apiVersion, header.correlationId, {
        throttleTimeMs: 0,
        topics: [{ name: TOPIC, partitions: errors.map((errorCode, p) => ({ partitionIndex: p, errorCode })) }],
      });
    });
    servers.push(server);
    const { tap, recorder, socket } = await tapped(port);
    socket.write(commitRequest);
    await until(() => recorder.commits.length === 3);
    expect(recorder.commits.map((c) => [c.partition, c.offset, c.generation, c.outcome])).toEqual([
      [0, 10n, 7, { kind: 'ok' }],
      [1, 11n, 7, { kind: 'refused', error: 'ILLEGAL_GENERATION' }],
      [2, 12n, 7, { kind: 'indeterminate', error: 'NOT_COORDINATOR' }],
    ]);
    tap.kill();
  });

  it('killedWithACommitInFlight: the unanswered commit is indeterminate and new sockets are refused', async () => {
    const { server, port } = await fakeCoordinator(() => null);
    servers.push(server);
    const { tap, recorder, socket } = await tapped(port);
    socket.write(commitRequest);
    await new Promise((resolve) => setTimeout(resolve, 50));
    tap.kill();
    await until(() => recorder.commits.length === 3);
    expect(new Set(recorder.commits.map((c) => JSON.stringify(c.outcome)))).toEqual(new Set([JSON.stringify({ kind: 'indeterminate', error: 'no answer: connection closed' })]));
    const refused = tap.socketFactory({ host: '127.0.0.1', port, ssl: {}, onConnect: () => {} });
    const error = new Promise<Error>((resolve) => refused.once('error', resolve));
    await new Promise((resolve) => refused.once('close', resolve));
    expect((await error).message).toBe('member-1 was killed');
    expect(refused.destroyed).toBe(true);
  });
});
