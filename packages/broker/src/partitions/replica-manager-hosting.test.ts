import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import { partitionConfigFrom } from '@kstream/replication';
import { assignment, batch, closeManager, openManager, tempDir } from './partitions.test-support.js';

const HOUR = 3_600_000;

describe('ReplicaManager hosting', () => {
  it("partitionMetadataWithTheFirstBatches: a hosted partition gets its directory, and Kafka's partition.metadata naming the topic id once batches are flushed; an idle one closes without it", async () => {
    const logDir = tempDir();
    const manager = await openManager({ logDir });
    const orders = assignment('orders');
    const idle = assignment('idle');
    await manager.applyAssignment(orders);
    await manager.applyAssignment(idle);
    expect(existsSync(join(logDir, 'orders-0'))).toBe(true);
    expect(existsSync(join(logDir, 'orders-0', 'partition.metadata'))).toBe(false);
    await manager.appendRecords('orders', 0, await batch(['a']), 1, 1000);
    await manager.partition('orders', 0)!.log.flush();
    expect(readFileSync(join(logDir, 'orders-0', 'partition.metadata'), 'utf8')).toBe(`version: 0\ntopic_id: ${orders.state.topicId}\n`);
    await closeManager(manager);
    expect(existsSync(join(logDir, 'idle-0', 'partition.metadata'))).toBe(false);

    // Reopened, the idle partition writes it with its first batches; the other's is already there and is not written again.
    const reopened = await openManager({ logDir });
    await reopened.applyAssignment(orders);
    await reopened.applyAssignment(idle);
    await reopened.appendRecords('idle', 0, await batch(['b']), 1, 1000);
    await closeManager(reopened);
    expect(readFileSync(join(logDir, 'idle-0', 'partition.metadata'), 'utf8')).toBe(`version: 0\ntopic_id: ${idle.state.topicId}\n`);
    expect(readFileSync(join(logDir, 'orders-0', 'partition.metadata'), 'utf8')).toBe(`version: 0\ntopic_id: ${orders.state.topicId}\n`);
  });

  it('topicDeletion: removing the topic stops serving it and deletes its partition directories', async () => {
    const logDir = tempDir();
    const manager = await openManager({ logDir });
    const orders = assignment('orders');
    await manager.applyAssignment(orders);
    await manager.applyAssignment({ ...assignment('orders', { partition: 1 }), state: { ...orders.state } });
    await manager.applyAssignment(assignment('other'));
    await manager.appendRecords('orders', 0, await batch(['a']), 1, 1000);
    await manager.removeTopic(orders.state.topicId);
    expect(existsSync(join(logDir, 'orders-0'))).toBe(false);
    expect(existsSync(join(logDir, 'orders-1'))).toBe(false);
    expect(existsSync(join(logDir, 'other-0'))).toBe(true);
    // Renamed <topic>-<partition>.<uuid>-delete, then removed in the background.
    await expect.poll(() => readdirSync(logDir).filter((name) => name.includes('delete'))).toEqual([]);
    expect(manager.partition('orders', 0)).toBeUndefined();
    expect((await manager.appendRecords('orders', 0, await batch(['a']), 1, 1000)).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it("recreatedTopicStartsAtZero: a new topic of a deleted one's name starts at offset 0 despite the old checkpoints", async () => {
    const manager = await openManager();
    const first = assignment('orders', { topicId: '11111111-1111-1111-1111-111111111111' });
    await manager.applyAssignment(first);
    for (let i = 0; i < 3; i++) await manager.appendRecords('orders', 0, await batch(['old']), 1, 1000);
    await manager.deleteRecords('orders', 0, 2n);
    await manager.checkpointHighWatermarks();
    await manager.removeTopic(first.state.topicId);
    await manager.applyAssignment(assignment('orders', { topicId: '22222222-2222-2222-2222-222222222222' }));
    const partition = manager.partition('orders', 0)!;
    expect([partition.logStartOffset, partition.logEndOffset, partition.highWatermark]).toEqual([0n, 0n, 0n]);
    expect((await manager.appendRecords('orders', 0, await batch(['new']), 1, 1000)).baseOffset).toBe(0n);
  });

  it('staleDirectoryOfOtherTopicId: a directory whose partition.metadata names another topic id is deleted before hosting, with its checkpointed offsets', async () => {
    const logDir = tempDir();
    const before = await openManager({ logDir });
    await before.applyAssignment(assignment('orders', { topicId: '11111111-1111-1111-1111-111111111111' }));
    await before.appendRecords('orders', 0, await batch(['old', 'old']), 1, 1000);
    await before.deleteRecords('orders', 0, 1n);
    await closeManager(before);
    const after = await openManager({ logDir });
    const recreated = assignment('orders', { topicId: '22222222-2222-2222-2222-222222222222' });
    await after.applyAssignment(recreated);
    const partition = after.partition('orders', 0)!;
    expect([partition.logStartOffset, partition.logEndOffset, partition.highWatermark]).toEqual([0n, 0n, 0n]);
    expect(existsSync(join(logDir, 'orders-0', 'partition.metadata'))).toBe(false);
    await after.appendRecords('orders', 0, await batch(['new']), 1, 1000);
    await closeManager(after);
    expect(readFileSync(join(logDir, 'orders-0', 'partition.metadata'), 'utf8')).toBe(`version: 0\ntopic_id: ${recreated.state.topicId}\n`);
  });

  it('restartKeepsData: the same topic id reopens its log with its offsets', async () => {
    const logDir = tempDir();
    const before = await openManager({ logDir });
    await before.applyAssignment(assignment('orders'));
    await before.appendRecords('orders', 0, await batch(['a', 'b', 'c']), 1, 1000);
    await closeManager(before);
    const after = await openManager({ logDir });
    await after.applyAssignment(assignment('orders'));
    expect(after.partition('orders', 0)!.logEndOffset).toBe(3n);
    expect(after.partition('orders', 0)!.highWatermark).toBe(3n);
  });

  it('reassignedAway: a partition whose replicas no longer include this broker is closed and deleted', async () => {
    const logDir = tempDir();
    const manager = await openManager({ logDir });
    await manager.applyAssignment(assignment('orders'));
    await manager.applyAssignment(assignment('orders', { replicas: [2] }));
    expect(manager.partition('orders', 0)).toBeUndefined();
    expect(existsSync(join(logDir, 'orders-0'))).toBe(false);
  });

  it('reconcileDeletesStrays: a snapshot leaves exactly its partitions: other partition directories and unfinished deletions go', async () => {
    const logDir = tempDir();
    // A crash in the middle of a deletion left this behind; the broker starts.
    mkdirSync(join(logDir, 'crashed-0.0123456789abcdef0123456789abcdef-delete'));
    writeFileSync(join(logDir, 'crashed-0.0123456789abcdef0123456789abcdef-delete', '00000000000000000000.log'), '');
    const manager = await openManager({ logDir });
    await manager.applyAssignment(assignment('dropped'));
    mkdirSync(join(logDir, 'left-behind-3'));
    writeFileSync(join(logDir, 'left-behind-3', '00000000000000000000.log'), '');
    await manager.reconcile([assignment('kept'), assignment('elsewhere', { replicas: [2] })]);
    await expect
      .poll(() =>
        readdirSync(logDir)
          .filter((name) => !name.includes('checkpoint'))
          .sort(),
      )
      .toEqual(['kept-0']);
    expect(manager.hostedPartitions().map((p) => p.name)).toEqual(['kept-0']);
  });

  it('offlineLog: a partition whose log cannot open answers KAFKA_STORAGE_ERROR and logs why', async () => {
    const logDir = tempDir();
    writeFileSync(join(logDir, 'orders-0'), 'not a directory');
    const manager = await openManager({ logDir });
    await manager.applyAssignment(assignment('orders'));
    const answer = await manager.appendRecords('orders', 0, await batch(['a']), 1, 1000);
    expect(answer.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(answer.errorMessage).toContain('orders-0 is offline');
  });

  it('configUpdate: a topic config change reaches the open log (a smaller segment.bytes rolls segments)', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders'));
    const log = manager.partition('orders', 0)!.log;
    manager.updateTopicConfig('orders', partitionConfigFrom({ 'segment.bytes': '200' }));
    for (let i = 0; i < 3; i++) await manager.appendRecords('orders', 0, await batch(['x'.repeat(60)]), 1, 1000);
    expect(log.numberOfSegments).toBe(3);
    manager.updateTopicConfig('orders', partitionConfigFrom({ 'max.message.bytes': '10' }));
    expect((await manager.appendRecords('orders', 0, await batch(['y']), 1, 1000)).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
  });

  it("configUpdateOneTopic: a topic's config change reaches its partitions, a re-created one's included, and no other topic's", async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders', { partition: 0 }));
    await manager.applyAssignment(assignment('orders', { partition: 1 }));
    await manager.applyAssignment(assignment('payments'));
    await manager.applyAssignment(assignment('orders', { partition: 1, topicId: 'orders-id-2'.padEnd(36, '0') }));
    manager.updateTopicConfig('orders', partitionConfigFrom({ 'max.message.bytes': '10' }));
    expect(
      manager
        .hostedPartitions()
        .map((p) => [p.name, p.config.maxMessageBytes])
        .sort(),
    ).toEqual([
      ['orders-0', 10],
      ['orders-1', 10],
      ['payments-0', partitionConfigFrom({}).maxMessageBytes],
    ]);
    await manager.applyAssignment(assignment('orders', { partition: 0, replicas: [2] }));
    manager.updateTopicConfig('orders', partitionConfigFrom({ 'max.message.bytes': '20' }));
    expect(manager.partition('orders', 1)!.config.maxMessageBytes).toBe(20);
    expect(manager.partition('orders', 0)).toBeUndefined();
  });

  it('retention: segments older than retention.ms are deleted and the log start offset moves up', async () => {
    let now = 1_700_000_000_000;
    const manager = await openManager({ clock: () => now });
    await manager.applyAssignment(assignment('orders', { configs: { 'segment.bytes': '200', 'retention.ms': String(HOUR) } }));
    for (let i = 0; i < 4; i++) await manager.appendRecords('orders', 0, await batch(['x'.repeat(60)], { timestamps: [now] }), 1, 1000);
    now += 2 * HOUR;
    expect(await manager.runRetention()).toBe(3);
    expect(manager.partition('orders', 0)!.logStartOffset).toBe(3n);
  });

  it('retentionRunsPeriodically: log.retention.check.interval.ms drives retention without being asked', async () => {
    const manager = await openManager({ retentionCheckIntervalMs: 20 });
    await manager.applyAssignment(assignment('orders', { configs: { 'segment.bytes': '200', 'retention.bytes': '0' } }));
    for (let i = 0; i < 3; i++) await manager.appendRecords('orders', 0, await batch(['x'.repeat(60)]), 1, 1000);
    await expect.poll(() => manager.partition('orders', 0)!.logStartOffset, { timeout: 5000 }).toBe(2n);
  });

  it("durableFlushPolicy: flush.messages=1 maps to the log's durable policy", () => {
    expect(partitionConfigFrom({ 'flush.messages': '1' }).log.flushPolicy).toBe('durable');
    expect(partitionConfigFrom({ 'flush.messages': '9223372036854775807' }).log.flushPolicy).toBe('page-cache');
    expect(() => partitionConfigFrom({ 'min.insync.replicas': '0' })).toThrow(/min\.insync\.replicas/);
  });
});

describe('ReplicaManager partitionsSettled', () => {
  it('waitsForEveryPartitionAReconcileHosts: once settled, each is open with its recovered log, none still opening', async () => {
    const logDir = tempDir();
    const before = await openManager({ logDir });
    const topics = Array.from({ length: 20 }, (_, i) => assignment(`t${i}`));
    await before.reconcile(topics);
    for (const t of topics) await before.appendRecords(t.topic, 0, await batch(['a', 'b']), 1, 1000);
    await closeManager(before);

    const after = await openManager({ logDir });
    // Not awaited: the broker's registration starts the reconcile and, before it reports started, waits for it to settle.
    void after.reconcile(topics);
    expect(after.partition('t19', 0)).toBeUndefined();
    await after.partitionsSettled();
    for (const t of topics) expect(after.partition(t.topic, 0)?.logEndOffset).toBe(2n);
    await closeManager(after);
  });
});

describe('ReplicaManager leaderPartitionNow', () => {
  it('answersInTheSameTurnOnceHosted: undefined while the hosting change is in flight, then the partition, or the error leaderPartition throws', async () => {
    const manager = await openManager();
    const orders = assignment('orders');
    const hosting = manager.applyAssignment(orders);
    expect(manager.leaderPartitionNow('orders-0', 'orders', 0)).toBeUndefined();
    await hosting;
    expect(manager.leaderPartitionNow('orders-0', 'orders', 0)).toBe(manager.partition('orders', 0));
    expect(() => manager.leaderPartitionNow('orders-0', 'orders', 0, orders.state.leaderEpoch + 1)).toThrow(expect.objectContaining({ errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH }));
    expect(() => manager.leaderPartitionNow('other-0', 'other', 0)).toThrow(expect.objectContaining({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }));
    await closeManager(manager);
  });
});
