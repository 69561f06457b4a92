import { describe, expect, it } from 'vitest';
import { ErrorCode, readBatchHeader } from '@kstream/protocol';
import { GROUP_METADATA_TOPIC, TRANSACTION_STATE_TOPIC } from '@kstream/metadata';
import { coordinatorLog } from './coordinator-log.js';
import { assignment, batch, openManager } from './partitions.test-support.js';

const TOPIC = GROUP_METADATA_TOPIC;

async function ledPartition(spec: Parameters<typeof assignment>[1] = {}) {
  const manager = await openManager();
  await manager.applyAssignment(assignment(TOPIC, { partition: 3, ...spec }));
  return manager;
}

describe('coordinatorLog', () => {
  it('appendAnswersOnceReplicated: NONE once the high watermark covers the batch; the ends follow', async () => {
    const manager = await ledPartition({ leaderEpoch: 4 });
    const log = coordinatorLog(manager, TOPIC, () => 1000);
    expect(await log.append(3, 4, await batch(['a', 'b']))).toEqual({ errorCode: ErrorCode.NONE, errorMessage: null });
    expect(manager.partition(TOPIC, 3)!.highWatermark).toBe(2n);
    expect(log.logEndOffset(3)).toBe(2n);
    expect(log.logStartOffset(3)).toBe(0n);
  });

  it('appendInAnotherEpochIsNotLeader: a coordinator of an older or newer epoch writes nothing', async () => {
    const manager = await ledPartition({ leaderEpoch: 4 });
    const log = coordinatorLog(manager, TOPIC, () => 1000);
    for (const epoch of [3, 5]) {
      const answer = await log.append(3, epoch, await batch(['a']));
      expect(answer.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      expect(answer.errorMessage).toContain(`leader epoch 4, not ${epoch}`);
    }
    expect(log.logEndOffset(3)).toBe(0n);
  });

  it('appendOnAFollowerOrUnhostedNeverRejects: NOT_LEADER_OR_FOLLOWER / UNKNOWN_TOPIC_OR_PARTITION as data', async () => {
    const manager = await ledPartition({ replicas: [2, 1], leader: 2 });
    const log = coordinatorLog(manager, TOPIC, () => 1000);
    expect((await log.append(3, 0, await batch(['a']))).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect((await log.append(7, 0, await batch(['a']))).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(log.logEndOffset(3)).toBeUndefined();
    expect(log.logStartOffset(3)).toBeUndefined();
    await expect(log.read(3, 0n, 1024)).rejects.toThrow(`Broker 1 does not lead ${TOPIC}-3`);
  });

  it('appendTimesOutAfterOffsetsCommitTimeout: a follower that never fetches holds the high watermark; REQUEST_TIMED_OUT after the configured wait', async () => {
    const manager = await ledPartition({ replicas: [1, 2] });
    let timeoutMs = 30;
    const log = coordinatorLog(manager, TOPIC, () => timeoutMs);
    const started = Date.now();
    const answer = await log.append(3, 0, await batch(['a']));
    expect(answer.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect(answer.errorMessage).toContain('within 30 ms');
    expect(Date.now() - started).toBeLessThan(1000);
    timeoutMs = 60;
    expect((await log.append(3, 0, await batch(['b']))).errorMessage).toContain('within 60 ms');
  });

  it('readGoesToTheLogEndOffsetNotTheHighWatermark: a load reads what the leader holds, whole batches, the first even when over maxBytes', async () => {
    const manager = await ledPartition({ replicas: [1, 2] });
    const log = coordinatorLog(manager, TOPIC, () => 10);
    await log.append(3, 0, await batch(['a', 'b']));
    await log.append(3, 0, await batch(['c']));
    expect(manager.partition(TOPIC, 3)!.highWatermark).toBe(0n);
    const first = await log.read(3, 0n, 1);
    expect(readBatchHeader(first, 0)).toMatchObject({ baseOffset: 0n, lastOffsetDelta: 1 });
    const all = await log.read(3, 0n, 1 << 20);
    const second = readBatchHeader(all, first.length)!;
    expect(second.baseOffset).toBe(2n);
    expect((await log.read(3, 3n, 1 << 20)).length).toBe(0);
  });

  it("coordinatorWritesSkipSequenceChecks: a coordinator's transactional batches all start at sequence 0 and each is appended, none taken for a retry", async () => {
    const manager = await ledPartition();
    const log = coordinatorLog(manager, TOPIC, () => 1000);
    const pending = () => batch(['offset'], { producerId: 31n, producerEpoch: 2, baseSequence: 0, isTransactional: true });
    expect((await log.append(3, 0, await pending())).errorCode).toBe(ErrorCode.NONE);
    expect((await log.append(3, 0, await pending())).errorCode).toBe(ErrorCode.NONE);
    expect(log.logEndOffset(3)).toBe(2n);
  });

  it('anyCoordinatorTopic: the transaction log is __transaction_state, its own partitions', async () => {
    const manager = await ledPartition();
    await manager.applyAssignment(assignment(TRANSACTION_STATE_TOPIC, { partition: 3 }));
    const log = coordinatorLog(manager, TRANSACTION_STATE_TOPIC, () => 1000);
    expect((await log.append(3, 0, await batch(['state']))).errorCode).toBe(ErrorCode.NONE);
    expect(manager.partition(TRANSACTION_STATE_TOPIC, 3)!.logEndOffset).toBe(1n);
    expect(manager.partition(TOPIC, 3)!.logEndOffset).toBe(0n);
  });
});
