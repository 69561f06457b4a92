import { readFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import { ATTRIBUTE_TRANSACTIONAL, BATCH_OFFSETS, ErrorCode, readBatchHeader } from '@kstream/protocol';
import { assignment, batch, closeManager, openManager, tempDir } from './partitions.test-support.js';

describe('ReplicaManager appends', () => {
  it('appendAssignsOffsetsAndAdvancesHighWatermark: offsets follow on, and with one replica the high watermark is the log end offset', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders'));
    const first = await manager.appendRecords('orders', 0, await batch(['a', 'b', 'c']), 1, 1000);
    const second = await manager.appendRecords('orders', 0, await batch(['d']), -1, 1000);
    expect(first).toMatchObject({ errorCode: 0, baseOffset: 0n, logAppendTimeMs: -1n, logStartOffset: 0n });
    expect(second).toMatchObject({ errorCode: 0, baseOffset: 3n });
    const partition = manager.partition('orders', 0)!;
    expect(partition.highWatermark).toBe(4n);
    expect(partition.lastStableOffset).toBe(4n);
  });

  it('unknownPartition: UNKNOWN_TOPIC_OR_PARTITION when metadata does not know it, NOT_LEADER_OR_FOLLOWER when it does', async () => {
    const manager = await openManager();
    const records = await batch(['a']);
    expect((await manager.appendRecords('nope', 0, records, 1, 1000)).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    manager.setPartitionExists((topic) => topic === 'elsewhere');
    const answer = await manager.appendRecords('elsewhere', 0, records, 1, 1000);
    expect(answer.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(answer.errorMessage).toContain('elsewhere-0');
  });

  it('followerRefusesProduce: a replica that does not lead answers NOT_LEADER_OR_FOLLOWER, naming the leader', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders', { replicas: [2, 1], leader: 2 }));
    const answer = await manager.appendRecords('orders', 0, await batch(['a']), 1, 1000);
    expect(answer.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(answer.errorMessage).toContain('leader: 2');
    expect(manager.partition('orders', 0)!.logEndOffset).toBe(0n);
  });

  it('messageTooLarge: a batch over max.message.bytes is refused with the size and the limit; others still append', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('small', { configs: { 'max.message.bytes': '200' } }));
    const big = await batch(['x'.repeat(300)]);
    const answer = await manager.appendRecords('small', 0, big, 1, 1000);
    expect(answer.errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect(answer.errorMessage).toContain(`${big.length} bytes`);
    expect(answer.errorMessage).toContain('max.message.bytes=200');
    expect((await manager.appendRecords('small', 0, await batch(['ok']), 1, 1000)).errorCode).toBe(0);
  });

  it('corruptBatch: a CRC mismatch, a bad magic or a cut batch is CORRUPT_MESSAGE and nothing is written', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders'));
    const flipped = await batch(['hello']);
    flipped[flipped.length - 1]! ^= 0xff;
    const badMagic = await batch(['hello']);
    badMagic.writeInt8(1, BATCH_OFFSETS.magic);
    const cut = (await batch(['hello'])).subarray(0, 40);
    for (const records of [flipped, badMagic, cut]) {
      expect((await manager.appendRecords('orders', 0, records, 1, 1000)).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    }
    expect(manager.partition('orders', 0)!.logEndOffset).toBe(0n);
  });

  it('notEnoughReplicas: acks=-1 is refused when the ISR is below min.insync.replicas; acks=1 is not', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders', { configs: { 'min.insync.replicas': '2' } }));
    const refused = await manager.appendRecords('orders', 0, await batch(['a']), -1, 1000);
    expect(refused.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(refused.errorMessage).toContain('min.insync.replicas=2');
    expect((await manager.appendRecords('orders', 0, await batch(['a']), 1, 1000)).errorCode).toBe(0);
  });

  it('acksAllTimesOutWithoutFollowers: with other replicas in the ISR the high watermark holds, so acks=-1 times out', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('replicated', { replicas: [1, 2], isr: [1, 2] }));
    const answer = await manager.appendRecords('replicated', 0, await batch(['a']), -1, 50);
    expect(answer.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect(manager.partition('replicated', 0)!.highWatermark).toBe(0n);
  });

  it('transactionalBatchStored: a transactional batch is appended with its producer fields and transactional attribute', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders'));
    const records = await batch(['a'], { isTransactional: true, producerId: 7n, producerEpoch: 0, baseSequence: 0 });
    expect((await manager.appendRecords('orders', 0, records, 1, 1000)).errorCode).toBe(ErrorCode.NONE);
    const [read] = await manager.readPartitions({ maxBytes: 1 << 20, readCommitted: false, partitions: [fetchOf('orders', 0n)] });
    expect(readBatchHeader(read!.records)).toMatchObject({ producerId: 7n, producerEpoch: 0, baseSequence: 0 });
    expect(readBatchHeader(read!.records)!.attributes & ATTRIBUTE_TRANSACTIONAL).toBe(ATTRIBUTE_TRANSACTIONAL);
  });

  it('idempotentBatchStoredAsSent: a batch with a producer id is appended with its producer fields untouched', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders'));
    await manager.appendRecords('orders', 0, await batch(['a'], { producerId: 9n, producerEpoch: 3, baseSequence: 0 }), 1, 1000);
    const [read] = await manager.readPartitions({ maxBytes: 1 << 20, readCommitted: false, partitions: [fetchOf('orders', 0n)] });
    expect(readBatchHeader(read!.records)).toMatchObject({ producerId: 9n, producerEpoch: 3, baseSequence: 0 });
  });

  it('logAppendTime: the broker stamps its clock and answers it as logAppendTimeMs', async () => {
    const manager = await openManager({ clock: () => 1_800_000_000_000 });
    await manager.applyAssignment(assignment('stamped', { configs: { 'message.timestamp.type': 'LogAppendTime' } }));
    const answer = await manager.appendRecords('stamped', 0, await batch(['a']), 1, 1000);
    expect(answer.logAppendTimeMs).toBe(1_800_000_000_000n);
  });

  it('highWatermarkCheckpoint: close writes replication-offset-checkpoint and a reopened manager starts from it', async () => {
    const logDir = tempDir();
    const manager = await openManager({ logDir });
    await manager.applyAssignment(assignment('orders'));
    await manager.appendRecords('orders', 0, await batch(['a', 'b']), 1, 1000);
    await closeManager(manager);
    expect(await readFile(`${logDir}/replication-offset-checkpoint`, 'utf8')).toBe('0\n1\norders 0 2\n');
    const reopened = await openManager({ logDir });
    await reopened.applyAssignment(assignment('orders', { replicas: [1, 2], isr: [1, 2] }));
    // With a follower in the ISR the high watermark cannot advance: what it shows is the checkpoint.
    expect(reopened.partition('orders', 0)!.highWatermark).toBe(2n);
    expect(reopened.partition('orders', 0)!.logEndOffset).toBe(2n);
  });

  it('rollCheckpointsRecoveryPoint: a rolled segment, once flushed, is in recovery-point-offset-checkpoint without waiting for the periodic checkpoint', async () => {
    const logDir = tempDir();
    const manager = await openManager({ logDir, recoveryPointCheckpointIntervalMs: 3_600_000 });
    await manager.applyAssignment(assignment('orders', { configs: { 'segment.bytes': '200' } }));
    for (let i = 0; i < 4; i++) await manager.appendRecords('orders', 0, await batch(['x'.repeat(80)]), 1, 1000);
    const log = manager.partition('orders', 0)!.log;
    expect(log.numberOfSegments).toBeGreaterThan(1);
    const rolledTo = log.segmentBaseOffsets().at(-1)!;
    await vi.waitFor(() => expect(readFile(`${logDir}/recovery-point-offset-checkpoint`, 'utf8')).resolves.toBe(`0\n1\norders 0 ${rolledTo}\n`));
  });

  it('overlappingCheckpoints: checkpoints overlapping appends, each other, a deletion and close leave whole files with the final offsets', async () => {
    const logDir = tempDir();
    const manager = await openManager({ logDir, highWatermarkCheckpointIntervalMs: 1, recoveryPointCheckpointIntervalMs: 1 });
    await manager.applyAssignment(assignment('orders'));
    await manager.applyAssignment(assignment('dropped'));
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) work.push(manager.appendRecords('orders', 0, await batch(['a']), 1, 1000), manager.checkpointHighWatermarks());
    work.push(manager.removeTopic(assignment('dropped').state.topicId), manager.checkpointHighWatermarks());
    await Promise.all(work);
    await closeManager(manager);
    expect(await readFile(`${logDir}/replication-offset-checkpoint`, 'utf8')).toBe('0\n1\norders 0 20\n');
    expect(await readFile(`${logDir}/recovery-point-offset-checkpoint`, 'utf8')).toBe('0\n1\norders 0 20\n');
    expect(await readFile(`${logDir}/log-start-offset-checkpoint`, 'utf8')).toBe('0\n1\norders 0 0\n');
  });
});

function fetchOf(topic: string, fetchOffset: bigint, partitionMaxBytes = 1 << 20) {
  return { topic, topicId: '00000000-0000-0000-0000-000000000000', partition: 0, fetchOffset, partitionMaxBytes, currentLeaderEpoch: -1 };
}
