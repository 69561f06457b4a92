import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import type { HostedRole } from './hosted-partitions.js';
import { assignment, batch, openManager } from './partitions.test-support.js';
import type { ReplicaManager } from './replica-manager.js';

interface Heard {
  readonly at: string;
  readonly role: HostedRole;
  /** What the partition was, as the listener was told: leading at that epoch, with appends taken. */
  readonly appendable?: boolean;
}

async function listening(): Promise<{ manager: ReplicaManager; heard: Heard[] }> {
  const manager = await openManager();
  const heard: Heard[] = [];
  manager.onRoleChanged((topic, partition, role) => {
    const hosted = manager.partition(topic, partition);
    const appendable = role.kind === 'leader' ? hosted?.isLeader === true && hosted.leaderEpoch === role.leaderEpoch : undefined;
    heard.push({ at: `${topic}-${partition}`, role, ...(appendable === undefined ? {} : { appendable }) });
  });
  return { manager, heard };
}

describe('ReplicaManager roles', () => {
  it('newLeaderIsToldOnceItTakesAppends: the partition is hosted and leads in that epoch when the listener hears of it', async () => {
    const { manager, heard } = await listening();
    const seen: number[] = [];
    const records = await batch(['a']);
    manager.onRoleChanged((topic, partition, role) => {
      // An append started in the listener's turn lands in the announced epoch.
      if (role.kind === 'leader') void manager.appendRecords(topic, partition, records, -1, 1000, role.leaderEpoch).then((r) => seen.push(r.errorCode));
    });
    await manager.applyAssignment(assignment('__consumer_offsets', { partition: 7, leaderEpoch: 2 }));
    expect(heard).toEqual([{ at: '__consumer_offsets-7', role: { kind: 'leader', leaderEpoch: 2 }, appendable: true }]);
    await expect.poll(() => seen).toEqual([ErrorCode.NONE]);
  });

  it('isrOrConfigChangeIsNoRoleChange: same leader and epoch, new ISR: nothing is told', async () => {
    const { manager, heard } = await listening();
    await manager.applyAssignment(assignment('t', { replicas: [1, 2], isr: [1] }));
    await manager.applyAssignment(assignment('t', { replicas: [1, 2], isr: [1, 2] }));
    await manager.applyAssignment(assignment('t', { replicas: [1, 2], isr: [1, 2], configs: { 'retention.ms': '1000' } }));
    expect(heard.map((h) => h.role)).toEqual([{ kind: 'leader', leaderEpoch: 0 }]);
  });

  it('leadershipMovesAwayAndBack: follower in the new epoch, then leader again in a later one', async () => {
    const { manager, heard } = await listening();
    await manager.applyAssignment(assignment('t', { replicas: [1, 2], leaderEpoch: 0 }));
    await manager.applyAssignment(assignment('t', { replicas: [1, 2], leader: 2, leaderEpoch: 1 }));
    await manager.applyAssignment(assignment('t', { replicas: [1, 2], leader: 1, leaderEpoch: 2 }));
    await manager.applyAssignment(assignment('t', { replicas: [1, 2], leader: 1, leaderEpoch: 3 }));
    expect(heard).toEqual([
      { at: 't-0', role: { kind: 'leader', leaderEpoch: 0 }, appendable: true },
      { at: 't-0', role: { kind: 'follower', leaderEpoch: 1 } },
      { at: 't-0', role: { kind: 'leader', leaderEpoch: 2 }, appendable: true },
      { at: 't-0', role: { kind: 'leader', leaderEpoch: 3 }, appendable: true },
    ]);
  });

  it('stopHostingIsNone: reassigned away or its topic deleted, the partition is no longer hosted when told', async () => {
    const { manager, heard } = await listening();
    await manager.applyAssignment(assignment('a'));
    await manager.applyAssignment(assignment('b'));
    await manager.applyAssignment(assignment('a', { replicas: [2], leader: 2, leaderEpoch: 1 }));
    await manager.removeTopic(assignment('b').state.topicId);
    expect(heard.slice(2)).toEqual([
      { at: 'a-0', role: { kind: 'none' } },
      { at: 'b-0', role: { kind: 'none' } },
    ]);
    expect(manager.partition('a', 0)).toBeUndefined();
  });

  it('failingListenerIsLogged: the hosting change goes on and the partition serves', async () => {
    const manager = await openManager();
    manager.onRoleChanged(() => {
      throw new Error('listener bug');
    });
    await manager.applyAssignment(assignment('t'));
    expect((await manager.appendRecords('t', 0, await batch(['a']), 1, 1000)).errorCode).toBe(ErrorCode.NONE);
  });
});
