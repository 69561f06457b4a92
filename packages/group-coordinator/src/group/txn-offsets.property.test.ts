import fc from 'fast-check';
import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { commitRequest, context, coordinatorFixture, fetchRequest, type CoordinatorFixture } from './group-coordinator.test-support.js';
import { txnCommitRequest, writeMarker } from './txn-offset-commit.test-support.js';

// Random transactional commits of several producers, plain commits, COMMIT and
// ABORT markers, OffsetDeletes, failing writes and reloads of the partition against a model
// of Kafka's pending transactional offsets: after every step OffsetFetch
// answers the model's committed offsets, and with requireStable
// UNSTABLE_OFFSET_COMMIT exactly where an open transaction holds an offset.

const GROUPS = ['g0', 'g1'];
const KEYS = ['a/0', 'a/1', 'b/0'];
const PRODUCERS = [1n, 2n, 3n];

type Offsets = [key: string, offset: bigint][];
type Op =
  | { kind: 'txnCommit'; producerId: bigint; group: string; offsets: Offsets; fail?: number }
  | { kind: 'commit'; group: string; offsets: Offsets; fail?: number }
  | { kind: 'marker'; producerId: bigint; commit: boolean }
  | { kind: 'deleteOffsets'; group: string; keys: string[]; fail?: number }
  | { kind: 'reload' };

const offsets = fc.uniqueArray(fc.tuple(fc.constantFrom(...KEYS), fc.bigInt(0n, 1000n)), { minLength: 1, selector: ([key]) => key });
const fail = fc.option(fc.constantFrom(ErrorCode.NOT_ENOUGH_REPLICAS, ErrorCode.INVALID_PRODUCER_EPOCH), { nil: undefined, freq: 5 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('txnCommit' as const), producerId: fc.constantFrom(...PRODUCERS), group: fc.constantFrom(...GROUPS), offsets, fail }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('commit' as const), group: fc.constantFrom(...GROUPS), offsets, fail }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('marker' as const), producerId: fc.constantFrom(...PRODUCERS), commit: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('deleteOffsets' as const),
      group: fc.constantFrom(...GROUPS),
      keys: fc.uniqueArray(fc.constantFrom(...KEYS), { minLength: 1 }),
      fail,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reload' as const) }) },
);

interface Written {
  readonly offset: bigint;
  /** The order of the write: a later one wins when a transaction commits. */
  readonly seq: number;
}

/** Kafka's pendingTransactionalOffsets on flat "group|topic/partition" keys. */
class Model {
  private seq = 0;
  /** The groups some write created (none is deleted here). */
  readonly groups = new Set<string>();
  readonly committed = new Map<string, Written>();
  readonly pending = new Map<bigint, Map<string, Written>>();

  commit(group: string, offsets: Offsets): void {
    this.groups.add(group);
    for (const [key, offset] of offsets) this.committed.set(`${group}|${key}`, { offset, seq: this.seq++ });
  }

  txnCommit(producerId: bigint, group: string, offsets: Offsets): void {
    this.groups.add(group);
    const pending = this.pending.get(producerId) ?? new Map<string, Written>();
    for (const [key, offset] of offsets) pending.set(`${group}|${key}`, { offset, seq: this.seq++ });
    this.pending.set(producerId, pending);
  }

  marker(producerId: bigint, commit: boolean): void {
    const pending = this.pending.get(producerId);
    this.pending.delete(producerId);
    if (!commit || pending === undefined) return;
    for (const [key, written] of pending) {
      const current = this.committed.get(key);
      if (current === undefined || current.seq < written.seq) this.committed.set(key, written);
    }
  }

  /** Whether deleting the keys writes any tombstone: a committed offset or an open transaction's. */
  holdsAny(group: string, keys: string[]): boolean {
    return keys.some((key) => this.committed.has(`${group}|${key}`) || [...this.pending.values()].some((pending) => pending.has(`${group}|${key}`)));
  }

  /** A tombstone deletes the committed offset and every open transaction's. */
  deleteOffsets(group: string, keys: string[]): void {
    for (const key of keys) {
      this.committed.delete(`${group}|${key}`);
      for (const pending of this.pending.values()) pending.delete(`${group}|${key}`);
    }
    for (const [producerId, pending] of this.pending) if (pending.size === 0) this.pending.delete(producerId);
  }

  /** What OffsetFetch v8 answers for every key of `group`, with or without requireStable. */
  fetched(group: string, requireStable: boolean): [string, bigint, number][] {
    return KEYS.map((key) => {
      const full = `${group}|${key}`;
      if (requireStable && [...this.pending.values()].some((pending) => pending.has(full))) return [key, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT];
      return [key, this.committed.get(full)?.offset ?? -1n, ErrorCode.NONE];
    });
  }
}

function byTopic(offsets: Offsets): Record<string, Record<number, bigint>> {
  const topics: Record<string, Record<number, bigint>> = {};
  for (const [key, offset] of offsets) {
    const [topic, partition] = key.split('/') as [string, string];
    (topics[topic] ??= {})[Number(partition)] = offset;
  }
  return topics;
}

async function fetched(fixture: CoordinatorFixture, group: string, requireStable: boolean): Promise<[string, bigint, number][]> {
  const response = await fixture.coordinator.offsetFetch(fetchRequest(group, { a: [0, 1], b: [0] }, requireStable), context(8));
  return response.groups[0]!.topics.flatMap((topic) =>
    topic.partitions.map((p): [string, bigint, number] => [`${topic.name}/${p.partitionIndex}`, p.committedOffset, p.errorCode]),
  );
}

describe('transactional offsets against a model', () => {
  it('offsetFetchAnswersTheModelThroughCommitsMarkersFailuresAndReloads', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const { log } = coordinatorFixture();
        let epoch = 0;
        let fixture = coordinatorFixture({ log });
        await fixture.elect(0, epoch);
        const model = new Model();

        for (const step of ops) {
          if (step.kind === 'reload') {
            fixture.coordinator.close();
            fixture = coordinatorFixture({ log });
            await fixture.elect(0, ++epoch);
          } else if (step.kind === 'deleteOffsets') {
            const writes = model.holdsAny(step.group, step.keys);
            if (step.fail !== undefined) log.failNext(step.fail);
            const topics = Object.entries(byTopic(step.keys.map((key) => [key, 0n]))).map(([name, partitions]) => ({
              name,
              partitions: Object.keys(partitions).map((partition) => ({ partitionIndex: Number(partition) })),
            }));
            const { errorCode } = await fixture.coordinator.offsetDelete({ groupId: step.group, topics }, context(0));
            if (!model.groups.has(step.group)) expect(errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
            else if (errorCode === ErrorCode.GROUP_ID_NOT_FOUND) {
              // A group left with no offset exists until expiry, but a reload (as Kafka's loader) brings back only groups that hold some.
              expect(model.holdsAny(step.group, KEYS)).toBe(false);
            } else if (writes && step.fail !== undefined) expect(errorCode).not.toBe(ErrorCode.NONE);
            else {
              expect(errorCode).toBe(ErrorCode.NONE);
              model.deleteOffsets(step.group, step.keys);
            }
            log.clearFailures();
          } else if (step.kind === 'marker') {
            await writeMarker(fixture, step.producerId, step.commit, { leaderEpoch: epoch });
            model.marker(step.producerId, step.commit);
          } else {
            if (step.fail !== undefined) log.failNext(step.fail);
            const response =
              step.kind === 'commit'
                ? await fixture.coordinator.offsetCommit(commitRequest(step.group, byTopic(step.offsets)), context(8))
                : await fixture.coordinator.txnOffsetCommit(txnCommitRequest(step.group, step.producerId, byTopic(step.offsets)), context(3));
            const errors = new Set(response.topics.flatMap((t) => t.partitions.map((p) => p.errorCode)));
            expect(errors.size).toBe(1);
            expect(errors.has(ErrorCode.NONE)).toBe(step.fail === undefined);
            if (step.fail === undefined) {
              if (step.kind === 'commit') model.commit(step.group, step.offsets);
              else model.txnCommit(step.producerId, step.group, step.offsets);
            }
          }
          for (const group of GROUPS) {
            expect(await fetched(fixture, group, false)).toEqual(model.fetched(group, false));
            expect(await fetched(fixture, group, true)).toEqual(model.fetched(group, true));
          }
        }
        fixture.coordinator.close();
      }),
      { numRuns: 80 },
    );
  });
});
