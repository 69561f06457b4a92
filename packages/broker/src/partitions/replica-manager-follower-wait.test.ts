import { describe, expect, it } from 'vitest';
import type { ReplicaFetchPartition, ReplicaFetchReply } from '@kstream/replication';
import { assignment, batch, openManager } from './partitions.test-support.js';
import type { ReplicaManager } from './replica-manager.js';

// A follower's fetch parked on this leader reads its idle partitions once a
// wait; a high watermark that moves while it waits (another follower caught
// up) still reaches it when the wait ends, because the manager notes each
// move on the parked fetches of its followers.

const at = (fetchOffset: bigint): ReplicaFetchPartition => ({ topic: 't', partition: 0, fetchOffset, currentLeaderEpoch: 0, lastFetchedEpoch: -1 });

function follower(manager: ReplicaManager, replicaId: number) {
  let sessionId = 0;
  let sessionEpoch = 0;
  return async (maxWaitMs: number, partitions: ReplicaFetchPartition[]): Promise<ReplicaFetchReply> => {
    const request = { type: 'ReplicaFetch' as const, replicaId, maxWaitMs, maxBytes: 1 << 20, partitionMaxBytes: 1 << 20, sessionId, sessionEpoch, partitions, forgotten: [] };
    const reply = (await manager.serveReplicaRequest(request, replicaId)) as ReplicaFetchReply;
    sessionId = reply.sessionId;
    sessionEpoch++;
    return reply;
  };
}

describe('ReplicaManager: a parked follower fetch', () => {
  it('highWatermarkMovedWhileParkedIsCarried: follower 3 catching up moves the high watermark; follower 2 is told when its wait ends', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('t', { replicas: [1, 2, 3] }));
    expect((await manager.appendRecords('t', 0, await batch(['a', 'b']), 1, 1000)).errorCode).toBe(0);
    const fetch2 = follower(manager, 2);
    const fetch3 = follower(manager, 3);
    expect((await fetch2(0, [at(0n)])).partitions).toMatchObject([{ highWatermark: 0n, logEndOffset: 2n }]);
    // Follower 2 holds the records and has been told high watermark 0 (follower 3's position is not known yet): no news.
    expect((await fetch2(0, [at(2n)])).partitions).toEqual([]);
    const parked = fetch2(400, []);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await fetch3(0, [at(2n)]);
    expect(manager.partition('t', 0)?.highWatermark).toBe(2n);
    expect((await parked).partitions).toMatchObject([{ partition: 0, highWatermark: 2n }]);
  });
});
