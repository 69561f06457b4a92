import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { commitRequest, committed, context, coordinatorFixture } from './group-coordinator.test-support.js';

// The log's error → what each kind of write answers (Kafka's storeOffsets / storeGroup mapping).
const CASES: [log: keyof typeof ErrorCode, commit: keyof typeof ErrorCode, other: keyof typeof ErrorCode][] = [
  ['UNKNOWN_TOPIC_OR_PARTITION', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_NOT_AVAILABLE'],
  ['NOT_ENOUGH_REPLICAS', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_NOT_AVAILABLE'],
  ['NOT_ENOUGH_REPLICAS_AFTER_APPEND', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_NOT_AVAILABLE'],
  ['REQUEST_TIMED_OUT', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_NOT_AVAILABLE'],
  ['NOT_LEADER_OR_FOLLOWER', 'NOT_COORDINATOR', 'NOT_COORDINATOR'],
  ['KAFKA_STORAGE_ERROR', 'NOT_COORDINATOR', 'NOT_COORDINATOR'],
  ['FENCED_LEADER_EPOCH', 'NOT_COORDINATOR', 'NOT_COORDINATOR'],
  ['MESSAGE_TOO_LARGE', 'INVALID_COMMIT_OFFSET_SIZE', 'UNKNOWN_SERVER_ERROR'],
  ['RECORD_LIST_TOO_LARGE', 'INVALID_COMMIT_OFFSET_SIZE', 'UNKNOWN_SERVER_ERROR'],
  ['INVALID_FETCH_SIZE', 'INVALID_COMMIT_OFFSET_SIZE', 'UNKNOWN_SERVER_ERROR'],
  ['CORRUPT_MESSAGE', 'CORRUPT_MESSAGE', 'CORRUPT_MESSAGE'],
];

describe('failed writes', () => {
  it.each(CASES)('commitFailingWith %s answers %s and changes nothing', async (logError, answer) => {
    const { coordinator, log, elect } = coordinatorFixture();
    await elect();
    await coordinator.offsetCommit(commitRequest('g', { t: { 0: 1n } }), context(8));
    log.failNext(ErrorCode[logError]);
    const response = await coordinator.offsetCommit(commitRequest('g', { t: { 0: 2n, 1: 2n } }), context(8));
    expect(response.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([ErrorCode[answer], ErrorCode[answer]]);
    expect(await committed(coordinator, 'g')).toEqual({ 't/0': 1n });
  });

  it.each(CASES)('deleteGroupsFailingWith %s answers %s (not a commit) and keeps the group', async (logError, _commit, answer) => {
    const { coordinator, log, elect } = coordinatorFixture();
    await elect();
    await coordinator.offsetCommit(commitRequest('g', { t: { 0: 1n } }), context(8));
    log.failNext(ErrorCode[logError]);
    const response = await coordinator.deleteGroups({ groupsNames: ['g'] }, context(2));
    expect(response.results).toEqual([{ groupId: 'g', errorCode: ErrorCode[answer] }]);
    expect(await committed(coordinator, 'g')).toEqual({ 't/0': 1n });
  });

  it('offsetDeleteFailingKeepsTheOffset', async () => {
    const { coordinator, log, elect } = coordinatorFixture();
    await elect();
    await coordinator.offsetCommit(commitRequest('g', { t: { 0: 1n } }), context(8));
    log.failNext(ErrorCode.NOT_ENOUGH_REPLICAS);
    const response = await coordinator.offsetDelete({ groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] }, context(0));
    expect(response).toEqual({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, throttleTimeMs: 0, topics: [] });
    expect(await committed(coordinator, 'g')).toEqual({ 't/0': 1n });
  });
});
