import { decodeRecordBatch, ErrorCode, recordBatchesIn } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { decodeCoordinatorRead } from '../records/index.js';
import { settle } from './coordinator-log.test-support.js';
import { commitRequest, committed, context, coordinatorFixture, fetchRequest, joinRequest, loadsEnded, seed, storedGroup } from './group-coordinator.test-support.js';
import { txnCommitRequest, writeMarker } from './txn-offset-commit.test-support.js';

const errorsOf = (response: { topics: { partitions: { errorCode: number }[] }[] }) => response.topics.flatMap((topic) => topic.partitions.map((partition) => partition.errorCode));

const stateOf = async (fixture: ReturnType<typeof coordinatorFixture>, groupId: string) =>
  (await fixture.coordinator.describeGroups({ groups: [groupId], includeAuthorizedOperations: false }, context(5))).groups[0]!.groupState;

/** A coordinator whose group "g" was stored Stable in generation 4 with members m-1 and m-2 (m-2 static as "instance-2"). */
async function withStableGroup() {
  const fixture = coordinatorFixture();
  await seed(fixture.log, 0, 0, [{ type: 'group', group: 'g', value: storedGroup(4, [{ memberId: 'm-1' }, { memberId: 'm-2', groupInstanceId: 'instance-2' }]) }]);
  await fixture.elect(0, 0);
  return fixture;
}

describe('TxnOffsetCommit', () => {
  it('writesOneTransactionalBatchOfTheProducerHoldingKafkasOffsetRecords', async () => {
    const fixture = coordinatorFixture();
    await fixture.elect();
    const response = await fixture.coordinator.txnOffsetCommit(
      txnCommitRequest('g', 4_000n, { t: { 0: 10n, 1: 11n } }, { producerEpoch: 3, metadata: 'm', leaderEpoch: 2 }),
      context(3),
    );
    expect(errorsOf(response)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    expect(fixture.log.appends).toBe(1);
    const bytes = await fixture.log.read(0, 0n, 1 << 20);
    const [slice, ...others] = [...recordBatchesIn(bytes)];
    expect(others).toEqual([]);
    const batch = await decodeRecordBatch(slice!.bytes);
    expect(batch.header).toMatchObject({ producerId: 4_000n, producerEpoch: 3, baseSequence: 0, recordCount: 2 });
    expect(batch.attributes).toMatchObject({ isTransactional: true, isControl: false });
    const { records } = await decodeCoordinatorRead(bytes);
    expect(records).toEqual(
      [0, 1].map((partition) => ({
        offset: BigInt(partition),
        producerId: 4_000n,
        record: {
          type: 'offset',
          key: { group: 'g', topic: 't', partition },
          value: { offset: 10n + BigInt(partition), leaderEpoch: 2, metadata: 'm', commitTimestamp: BigInt(fixture.timers.now), expireTimestamp: -1n },
        },
      })),
    );
  });

  it('pendingOffsetsAreInvisibleUntilTheCommitMarker', async () => {
    const fixture = coordinatorFixture();
    await fixture.elect();
    await fixture.coordinator.offsetCommit(commitRequest('g', { t: { 0: 5n } }), context(8));
    await fixture.coordinator.txnOffsetCommit(txnCommitRequest('g', 7n, { t: { 0: 10n, 1: 11n } }), context(3));
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 't/0': 5n });
    const listed = await fixture.coordinator.offsetFetch(fetchRequest('g', { t: [0, 1] }), context(5));
    expect(listed.topics[0]!.partitions.map((p) => [p.committedOffset, p.errorCode])).toEqual([
      [5n, ErrorCode.NONE],
      [-1n, ErrorCode.NONE],
    ]);
    await writeMarker(fixture, 7n, true);
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 't/0': 10n, 't/1': 11n });
  });

  it('abortMarkerDropsThePendingOffsets', async () => {
    const fixture = coordinatorFixture();
    await fixture.elect();
    await fixture.coordinator.offsetCommit(commitRequest('g', { t: { 0: 5n } }), context(8));
    await fixture.coordinator.txnOffsetCommit(txnCommitRequest('g', 7n, { t: { 0: 10n } }), context(3));
    await writeMarker(fixture, 7n, false);
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 't/0': 5n });
    const stable = await fixture.coordinator.offsetFetch(fetchRequest('g', { t: [0] }, true), context(7));
    expect(stable.topics[0]!.partitions[0]).toMatchObject({ committedOffset: 5n, errorCode: ErrorCode.NONE });
  });

  it('aMarkerEndsOnlyItsOwnProducersOffsets', async () => {
    const fixture = coordinatorFixture();
    await fixture.elect();
    await fixture.coordinator.txnOffsetCommit(txnCommitRequest('g', 7n, { t: { 0: 10n } }), context(3));
    await fixture.coordinator.txnOffsetCommit(txnCommitRequest('h', 8n, { t: { 0: 20n } }), context(3));
    await writeMarker(fixture, 8n, true);
    expect(await committed(fixture.coordinator, 'g')).toEqual({});
    expect(await committed(fixture.coordinator, 'h')).toEqual({ 't/0': 20n });
    await writeMarker(fixture, 7n, true);
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 't/0': 10n });
  });

  it('requireStableAnswersUnstableOffsetCommitForPartitionsOfAnOpenTransaction', async () => {
    const fixture = coordinatorFixture();
    await fixture.elect();
    await fixture.coordinator.offsetCommit(commitRequest('g', { t: { 0: 5n, 1: 6n } }), context(8));
    await fixture.coordinator.txnOffsetCommit(txnCommitRequest('g', 7n, { t: { 1: 11n, 2: 12n } }), context(3));
    const answers = (partitions: { committedOffset: bigint; errorCode: number }[]) => partitions.map((p) => [p.committedOffset, p.errorCode]);

    const v7 = await fixture.coordinator.offsetFetch(fetchRequest('g', { t: [0, 1, 2] }, true), context(7));
    expect(v7.errorCode).toBe(ErrorCode.NONE);
    expect(answers(v7.topics[0]!.partitions)).toEqual([
      [5n, ErrorCode.NONE],
      [-1n, ErrorCode.UNSTABLE_OFFSET_COMMIT],
      [-1n, ErrorCode.UNSTABLE_OFFSET_COMMIT],
    ]);
    const v8 = await fixture.coordinator.offsetFetch(fetchRequest('g', { t: [0, 1, 2] }, true), context(8));
    expect(v8.groups[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(answers(v8.groups[0]!.topics[0]!.partitions)).toEqual(answers(v7.topics[0]!.partitions));
    // All partitions: each committed one that an open transaction also holds.
    const all = await fixture.coordinator.offsetFetch(fetchRequest('g', null, true), context(8));
    expect(answers(all.groups[0]!.topics[0]!.partitions)).toEqual([
      [5n, ErrorCode.NONE],
      [-1n, ErrorCode.UNSTABLE_OFFSET_COMMIT],
    ]);
    // Without requireStable (and before v7, which cannot ask) the committed offsets as they are.
    const unstable = await fixture.coordinator.offsetFetch(fetchRequest('g', { t: [0, 1, 2] }, false), context(8));
    expect(answers(unstable.groups[0]!.topics[0]!.partitions)).toEqual([
      [5n, ErrorCode.NONE],
      [6n, ErrorCode.NONE],
      [-1n, ErrorCode.NONE],
    ]);
    const v6 = await fixture.coordinator.offsetFetch(fetchRequest('g', { t: [1] }, true), context(6));
    expect(answers(v6.topics[0]!.partitions)).toEqual([[6n, ErrorCode.NONE]]);

    await writeMarker(fixture, 7n, true);
    const after = await fixture.coordinator.offsetFetch(fetchRequest('g', { t: [0, 1, 2] }, true), context(8));
    expect(answers(after.groups[0]!.topics[0]!.partitions)).toEqual([
      [5n, ErrorCode.NONE],
      [11n, ErrorCode.NONE],
      [12n, ErrorCode.NONE],
    ]);
  });

  it('aPlainCommitWrittenAfterTheTransactionalOneWinsWhenTheTransactionCommits', async () => {
    const fixture = coordinatorFixture();
    await fixture.elect();
    await fixture.coordinator.txnOffsetCommit(txnCommitRequest('g', 7n, { t: { 0: 10n, 1: 11n } }), context(3));
    await fixture.coordinator.offsetCommit(commitRequest('g', { t: { 0: 15n } }), context(8));
    await writeMarker(fixture, 7n, true);
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 't/0': 15n, 't/1': 11n });
    // A load of the same log agrees.
    const reloaded = coordinatorFixture({ log: fixture.log });
    await reloaded.elect(0, 1);
    expect(await committed(reloaded.coordinator, 'g')).toEqual({ 't/0': 15n, 't/1': 11n });
  });

  it('aTransactionalCommitWrittenAfterAPlainOneReplacesItWhenTheTransactionCommits', async () => {
    const fixture = coordinatorFixture();
    await fixture.elect();
    await fixture.coordinator.offsetCommit(commitRequest('g', { t: { 0: 15n } }), context(8));
    await fixture.coordinator.txnOffsetCommit(txnCommitRequest('g', 7n, { t: { 0: 10n } }), context(3));
    await writeMarker(fixture, 7n, true);
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 't/0': 10n });
  });

  it('loadKeepsAnOpenTransactionPendingAndALaterMarkerCommitsIt', async () => {
    const fixture = coordinatorFixture();
    await fixture.elect();
    await fixture.coordinator.offsetCommit(commitRequest('g', { t: { 0: 1n } }), context(8));
    await fixture.coordinator.txnOffsetCommit(txnCommitRequest('g', 7n, { t: { 0: 2n } }), context(3)); // committed
    await fixture.coordinator.txnOffsetCommit(txnCommitRequest('g', 8n, { t: { 1: 3n } }), context(3)); // aborted
    await fixture.coordinator.txnOffsetCommit(txnCommitRequest('only-txn', 9n, { t: { 0: 4n } }), context(3)); // open
    await writeMarker(fixture, 7n, true);
    await writeMarker(fixture, 8n, false);

    const reloaded = coordinatorFixture({ log: fixture.log });
    await reloaded.elect(0, 1);
    expect(await committed(reloaded.coordinator, 'g')).toEqual({ 't/0': 2n });
    expect(await committed(reloaded.coordinator, 'only-txn')).toEqual({});
    expect(await stateOf(reloaded, 'only-txn')).toBe('Empty');
    const stable = await reloaded.coordinator.offsetFetch(fetchRequest('only-txn', { t: [0] }, true), context(8));
    expect(stable.groups[0]!.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);
    await writeMarker(reloaded, 9n, true, { leaderEpoch: 1 });
    expect(await committed(reloaded.coordinator, 'only-txn')).toEqual({ 't/0': 4n });
  });

  it('aMarkerWrittenWhileThePartitionLoadsEndsItsTransactionOnceLoaded', async () => {
    const fixture = coordinatorFixture();
    await fixture.elect();
    await fixture.coordinator.txnOffsetCommit(txnCommitRequest('g', 7n, { t: { 0: 2n } }), context(3));

    const reloaded = coordinatorFixture({ log: fixture.log });
    const release = fixture.log.holdReads();
    await reloaded.elect(0, 1);
    // The load read up to the log end offset of its election; the marker lands past it.
    await writeMarker(reloaded, 7n, true, { leaderEpoch: 1 });
    release();
    await loadsEnded(reloaded.coordinator);
    expect(await committed(reloaded.coordinator, 'g')).toEqual({ 't/0': 2n });
  });

  it('aMarkerForAPartitionNotLedHereIsIgnored', async () => {
    const fixture = coordinatorFixture();
    fixture.coordinator.onTransactionCompleted(3, 7n, true);
    await fixture.elect();
    expect(await committed(fixture.coordinator, 'g')).toEqual({});
  });

  it('simpleTransactionalCommitCreatesAnEmptyGroup', async () => {
    const fixture = coordinatorFixture();
    await fixture.elect();
    const response = await fixture.coordinator.txnOffsetCommit(txnCommitRequest('new', 7n, { t: { 0: 1n } }), context(0));
    expect(errorsOf(response)).toEqual([ErrorCode.NONE]);
    const described = await fixture.coordinator.describeGroups({ groups: ['new'], includeAuthorizedOperations: false }, context(5));
    expect(described.groups[0]).toMatchObject({ groupState: 'Empty', protocolType: '' });
  });

  it('generationForAGroupThatDoesNotExistIsIllegalGeneration', async () => {
    const fixture = coordinatorFixture();
    await fixture.elect();
    const response = await fixture.coordinator.txnOffsetCommit(txnCommitRequest('g', 7n, { t: { 0: 1n } }, { generation: 1, memberId: 'm' }), context(3));
    expect(errorsOf(response)).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    expect(fixture.log.appends).toBe(0);
  });

  it('memberChecks: unknown member, wrong generation, fenced and unknown static instance', async () => {
    const { coordinator } = await withStableGroup();
    const commit = async (options: Parameters<typeof txnCommitRequest>[3]) =>
      errorsOf(await coordinator.txnOffsetCommit(txnCommitRequest('g', 7n, { t: { 0: 5n } }, options), context(3)))[0];
    expect(await commit({ generation: 4, memberId: 'stranger' })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await commit({ generation: 3, memberId: 'm-1' })).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await commit({ generation: 4, memberId: 'm-1', groupInstanceId: 'instance-2' })).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(await commit({ generation: 4, memberId: 'm-2', groupInstanceId: 'instance-9' })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await commit({ generation: 4, memberId: 'm-2', groupInstanceId: 'instance-2' })).toBe(ErrorCode.NONE);
    expect(await commit({ generation: 4, memberId: 'm-1' })).toBe(ErrorCode.NONE);
  });

  it('withoutConsumerMetadataAGroupWithMembersStillTakesTheCommit', async () => {
    // v0–2 carry no generation: Kafka accepts them whatever the group's state (unlike OffsetCommit).
    const { coordinator } = await withStableGroup();
    const response = await coordinator.txnOffsetCommit(txnCommitRequest('g', 7n, { t: { 0: 5n } }), context(2));
    expect(errorsOf(response)).toEqual([ErrorCode.NONE]);
  });

  it('completingRebalanceDoesNotRefuseAMembersCommit', async () => {
    const fixture = coordinatorFixture();
    await seed(fixture.log, 0, 0, [{ type: 'group', group: 'g', value: storedGroup(4, [{ memberId: 'm-1' }]) }]);
    await fixture.elect(0, 0);
    expect(await fixture.coordinator.joinGroup(joinRequest('g', 'm-1'), context(5))).toMatchObject({ generationId: 5 });
    const response = await fixture.coordinator.txnOffsetCommit(txnCommitRequest('g', 7n, { t: { 0: 5n } }, { generation: 5, memberId: 'm-1' }), context(3));
    expect(errorsOf(response)).toEqual([ErrorCode.NONE]);
  });

  it('metadataTooLargeAndUnknownTopicFailOnlyTheirPartitions', async () => {
    const fixture = coordinatorFixture({ config: { offsetMetadataMaxBytes: 5 }, topicExists: (topic) => topic !== 'deleted' });
    await fixture.elect();
    const request = txnCommitRequest('g', 7n, { t: { 0: 1n } }, { metadata: 'six ch' });
    request.topics.push(...txnCommitRequest('g', 7n, { deleted: { 0: 1n }, kept: { 0: 2n } }).topics);
    const response = await fixture.coordinator.txnOffsetCommit(request, context(3));
    expect(errorsOf(response)).toEqual([ErrorCode.OFFSET_METADATA_TOO_LARGE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.NONE]);
    await writeMarker(fixture, 7n, true);
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 'kept/0': 2n });
  });

  it('routedAsOffsetCommit: notCoordinatorAndLoadInProgress', async () => {
    const fixture = coordinatorFixture();
    const request = txnCommitRequest('g', 7n, { t: { 0: 1n, 1: 2n } });
    expect(errorsOf(await fixture.coordinator.txnOffsetCommit(request, context(3)))).toEqual([ErrorCode.NOT_COORDINATOR, ErrorCode.NOT_COORDINATOR]);
    await seed(fixture.log, 0, 0, [{ type: 'group', group: 'other', value: storedGroup(1, []) }]);
    const release = fixture.log.holdReads();
    await fixture.elect(0, 1);
    const loading = ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    expect(errorsOf(await fixture.coordinator.txnOffsetCommit(request, context(3)))).toEqual([loading, loading]);
    release();
    await loadsEnded(fixture.coordinator);
    expect(errorsOf(await fixture.coordinator.txnOffsetCommit(request, context(3)))).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
  });

  it('theLogsRefusalOfTheProducerIsAnsweredAndNothingIsPending', async () => {
    const fixture = coordinatorFixture();
    await fixture.elect();
    fixture.log.failNext(ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.NOT_ENOUGH_REPLICAS);
    const fenced = await fixture.coordinator.txnOffsetCommit(txnCommitRequest('g', 7n, { t: { 0: 1n } }), context(3));
    expect(errorsOf(fenced)).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH]);
    const unavailable = await fixture.coordinator.txnOffsetCommit(txnCommitRequest('g', 7n, { t: { 0: 1n } }), context(3));
    expect(errorsOf(unavailable)).toEqual([ErrorCode.COORDINATOR_NOT_AVAILABLE]);
    const stable = await fixture.coordinator.offsetFetch(fetchRequest('g', { t: [0] }, true), context(8));
    expect(stable.groups[0]!.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
  });

  it('offsetsArePendingOnlyOnceWritten', async () => {
    const fixture = coordinatorFixture();
    await fixture.elect();
    const release = fixture.log.holdAppends();
    const written = fixture.coordinator.txnOffsetCommit(txnCommitRequest('g', 7n, { t: { 0: 1n } }), context(3));
    await settle();
    const before = await fixture.coordinator.offsetFetch(fetchRequest('g', { t: [0] }, true), context(8));
    expect(before.groups[0]!.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    release();
    expect(errorsOf(await written)).toEqual([ErrorCode.NONE]);
    const after = await fixture.coordinator.offsetFetch(fetchRequest('g', { t: [0] }, true), context(8));
    expect(after.groups[0]!.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);
  });

  it('deletingTheGroupDeletesAnOpenTransactionsOffsetsToo', async () => {
    // Kafka's deleteAllOffsets: a tombstone for each partition an open transaction holds, so its marker commits nothing.
    const fixture = coordinatorFixture();
    await fixture.elect();
    await fixture.coordinator.offsetCommit(commitRequest('g', { t: { 0: 1n } }), context(8));
    await fixture.coordinator.txnOffsetCommit(txnCommitRequest('g', 7n, { t: { 0: 2n, 1: 3n } }), context(3));
    expect((await fixture.coordinator.deleteGroups({ groupsNames: ['g'] }, context(2))).results[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(await stateOf(fixture, 'g')).toBe('Dead');
    const stable = await fixture.coordinator.offsetFetch(fetchRequest('g', { t: [0, 1] }, true), context(8));
    expect(stable.groups[0]!.topics[0]!.partitions.map((p) => [p.committedOffset, p.errorCode])).toEqual([
      [-1n, ErrorCode.NONE],
      [-1n, ErrorCode.NONE],
    ]);
    await writeMarker(fixture, 7n, true);
    expect(await committed(fixture.coordinator, 'g')).toEqual({});
    expect(await stateOf(fixture, 'g')).toBe('Dead');
    const reloaded = coordinatorFixture({ log: fixture.log });
    await reloaded.elect(0, 1);
    expect(await committed(reloaded.coordinator, 'g')).toEqual({});
    expect(await stateOf(reloaded, 'g')).toBe('Dead');
  });

  it('offsetDeleteDeletesAnOpenTransactionsOffsetOfThePartition', async () => {
    const fixture = coordinatorFixture();
    await fixture.elect();
    await fixture.coordinator.txnOffsetCommit(txnCommitRequest('g', 7n, { t: { 0: 2n, 1: 3n } }), context(3));
    const deleted = await fixture.coordinator.offsetDelete({ groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] }, context(0));
    expect(deleted.errorCode).toBe(ErrorCode.NONE);
    await writeMarker(fixture, 7n, true);
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 't/1': 3n });
    const reloaded = coordinatorFixture({ log: fixture.log });
    await reloaded.elect(0, 1);
    expect(await committed(reloaded.coordinator, 'g')).toEqual({ 't/1': 3n });
  });

  it('expiryLeavesAPartitionOfAnOpenTransactionAndItsGroupAlone', async () => {
    const fixture = coordinatorFixture({ config: { offsetsRetentionMs: 10_000, offsetsRetentionCheckIntervalMs: 1_000 } });
    await fixture.elect();
    await fixture.coordinator.offsetCommit(commitRequest('g', { t: { 0: 1n, 1: 1n } }), context(8));
    await fixture.coordinator.txnOffsetCommit(txnCommitRequest('g', 7n, { t: { 0: 2n } }), context(3));
    await fixture.coordinator.txnOffsetCommit(txnCommitRequest('only-txn', 8n, { t: { 0: 3n } }), context(3));
    await fixture.timers.advance(20_000);
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 't/0': 1n });
    expect(await stateOf(fixture, 'only-txn')).toBe('Empty');
    await writeMarker(fixture, 8n, false);
    await fixture.timers.advance(1_000);
    expect(await stateOf(fixture, 'only-txn')).toBe('Dead');
  });
});
