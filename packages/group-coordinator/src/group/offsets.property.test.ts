import fc from 'fast-check';
import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { commitRequest, committed, context, coordinatorFixture } from './group-coordinator.test-support.js';

// Random commits, OffsetDeletes, DeleteGroups, failing writes and time passing
// (offset expiry) against a model of simple groups: OffsetFetch and
// DescribeGroups answer what the model holds after every step, and a
// coordinator that loads the same log fetches the same offsets at the end.

const RETENTION_MS = 10_000;
const CHECK_MS = 1_000;
const GROUPS = ['g0', 'g1', 'g2'];
const KEYS = ['a/0', 'a/1', 'b/0'];
/** Failures the log reports before storing anything. */
const REFUSALS = [ErrorCode.NOT_ENOUGH_REPLICAS, ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.MESSAGE_TOO_LARGE];

type Op =
  | { kind: 'commit'; group: string; offsets: [key: string, offset: bigint][]; fail?: number }
  | { kind: 'deleteOffsets'; group: string; keys: string[]; fail?: number }
  | { kind: 'deleteGroup'; group: string; fail?: number }
  | { kind: 'wait'; ms: number };

const fail = fc.option(fc.constantFrom(...REFUSALS), { nil: undefined, freq: 4 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('commit' as const),
      group: fc.constantFrom(...GROUPS),
      offsets: fc.uniqueArray(fc.tuple(fc.constantFrom(...KEYS), fc.bigInt(0n, 1000n)), { minLength: 1, selector: ([key]) => key }),
      fail,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('deleteOffsets' as const),
      group: fc.constantFrom(...GROUPS),
      keys: fc.uniqueArray(fc.constantFrom(...KEYS), { minLength: 1 }),
      fail,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteGroup' as const), group: fc.constantFrom(...GROUPS), fail }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 6_000 }) }) },
);

interface Model {
  now: number;
  nextCheck: number;
  /** group → "topic/partition" → offset and commit time; a group without entries still exists until a check finds it empty. */
  groups: Map<string, Map<string, { offset: bigint; at: number }>>;
}

function modelExpiry(model: Model, until: number): void {
  while (model.nextCheck <= until) {
    for (const [group, offsets] of model.groups) {
      for (const [key, { at }] of offsets) if (model.nextCheck - at >= RETENTION_MS) offsets.delete(key);
      if (offsets.size === 0) model.groups.delete(group);
    }
    model.nextCheck += CHECK_MS;
  }
  model.now = until;
}

const snapshot = (model: Model, group: string) => Object.fromEntries([...(model.groups.get(group) ?? [])].map(([key, value]) => [key, value.offset]));

const partitionsOf = (keys: string[]) => {
  const byTopic = new Map<string, number[]>();
  for (const key of keys) {
    const [topic, partition] = key.split('/') as [string, string];
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), Number(partition)]);
  }
  return byTopic;
};

describe('offsets against a model', () => {
  it('offsetFetchAnswersTheModelAndAReloadAnswersTheSame', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        const fixture = coordinatorFixture({ config: { offsetsRetentionMs: RETENTION_MS, offsetsRetentionCheckIntervalMs: CHECK_MS } });
        const { coordinator, log, timers } = fixture;
        await fixture.elect(0, 1);
        const model: Model = { now: timers.now, nextCheck: timers.now + CHECK_MS, groups: new Map() };

        for (const step of ops) {
          if (step.kind === 'wait') {
            await timers.advance(step.ms);
            modelExpiry(model, timers.now);
          } else if (step.kind === 'commit') {
            if (step.fail !== undefined) log.failNext(step.fail);
            const request = commitRequest(step.group, {});
            for (const [topic, partitions] of partitionsOf(step.offsets.map(([key]) => key))) {
              request.topics.push({
                name: topic,
                partitions: partitions.map((partition) => ({
                  partitionIndex: partition,
                  committedOffset: step.offsets.find(([key]) => key === `${topic}/${partition}`)![1],
                  committedLeaderEpoch: -1,
                  commitTimestamp: -1n,
                  committedMetadata: '',
                })),
              });
            }
            const response = await coordinator.offsetCommit(request, context(8));
            const errors = new Set(response.topics.flatMap((t) => t.partitions.map((p) => p.errorCode)));
            expect(errors.size).toBe(1);
            expect(errors.has(ErrorCode.NONE)).toBe(step.fail === undefined);
            if (step.fail === undefined) {
              const offsets = model.groups.get(step.group) ?? new Map();
              for (const [key, offset] of step.offsets) offsets.set(key, { offset, at: model.now });
              model.groups.set(step.group, offsets);
            }
          } else if (step.kind === 'deleteOffsets') {
            const offsets = model.groups.get(step.group);
            const writes = offsets !== undefined && step.keys.some((key) => offsets.has(key));
            if (step.fail !== undefined) log.failNext(step.fail);
            const topics = [...partitionsOf(step.keys)].map(([name, partitions]) => ({ name, partitions: partitions.map((partitionIndex) => ({ partitionIndex })) }));
            const response = await coordinator.offsetDelete({ groupId: step.group, topics }, context(0));
            if (offsets === undefined) expect(response.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
            else if (writes && step.fail !== undefined) expect(response.errorCode).not.toBe(ErrorCode.NONE);
            else {
              expect(response.errorCode).toBe(ErrorCode.NONE);
              for (const key of step.keys) offsets.delete(key);
            }
          } else {
            const exists = model.groups.has(step.group);
            if (step.fail !== undefined) log.failNext(step.fail);
            const response = await coordinator.deleteGroups({ groupsNames: [step.group] }, context(2));
            const errorCode = response.results[0]!.errorCode;
            if (!exists) expect(errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
            else if (step.fail !== undefined) expect(errorCode).not.toBe(ErrorCode.NONE);
            else {
              expect(errorCode).toBe(ErrorCode.NONE);
              model.groups.delete(step.group);
            }
          }
          log.clearFailures();
          for (const group of GROUPS) expect(await committed(coordinator, group)).toEqual(snapshot(model, group));
          const described = await coordinator.describeGroups({ groups: GROUPS, includeAuthorizedOperations: false }, context(5));
          expect(described.groups.map((group) => group.groupState)).toEqual(GROUPS.map((group) => (model.groups.has(group) ? 'Empty' : 'Dead')));
        }

        const reloaded = coordinatorFixture({ log });
        await reloaded.elect(0, 2);
        for (const group of GROUPS) expect(await committed(reloaded.coordinator, group)).toEqual(snapshot(model, group));
      }),
      { numRuns: 60 },
    );
  });
});
