import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ResolvedOffsets } from './consumer-offsets.js';

type Op = { kind: 'resolve'; partition: number; offset: bigint } | { kind: 'commitAll' } | { kind: 'forget'; partition: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('resolve' as const), partition: fc.integer({ min: 0, max: 3 }), offset: fc.bigInt({ min: 0n, max: 1000n }) }),
  fc.constant({ kind: 'commitAll' as const }),
  fc.record({ kind: fc.constant('forget' as const), partition: fc.integer({ min: 0, max: 3 }) }),
);

describe('ResolvedOffsets', () => {
  it('uncommittedIsWhatWasResolvedSinceTheLastCommit, as a model of last-resolved and last-committed per partition says', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const offsets = new ResolvedOffsets({ autoCommit: true, autoCommitInterval: null, autoCommitThreshold: null });
        const model = new Map<number, { resolved: bigint; committed: bigint | null }>();
        for (const o of ops) {
          if (o.kind === 'resolve') {
            offsets.resolve('t', o.partition, o.offset);
            model.set(o.partition, { resolved: o.offset + 1n, committed: model.get(o.partition)?.committed ?? null });
          } else if (o.kind === 'commitAll') {
            offsets.committed(offsets.uncommitted());
            for (const entry of model.values()) entry.committed = entry.resolved;
          } else {
            offsets.forget([{ topic: 't', partition: o.partition }]);
            model.delete(o.partition);
          }
          const expected = [...model]
            .filter(([, e]) => e.resolved !== e.committed)
            .map(([partition, e]) => ({ topic: 't', partition, offset: e.resolved }))
            .sort((a, b) => a.partition - b.partition);
          expect([...offsets.uncommitted()].sort((a, b) => a.partition - b.partition)).toEqual(expected);
          for (let p = 0; p < 4; p++) expect(offsets.next('t', p)).toBe(model.get(p)?.resolved);
        }
      }),
    );
  });

  it('uncommittedByTopicIsKafkajsShape, offsets as strings', () => {
    const offsets = new ResolvedOffsets({ autoCommit: true, autoCommitInterval: null, autoCommitThreshold: null });
    offsets.resolve('a', 0, 4n);
    offsets.resolve('b', 2, 9n);
    offsets.resolve('a', 1, 0n);
    expect(offsets.uncommittedByTopic()).toEqual({
      topics: [
        {
          topic: 'a',
          partitions: [
            { partition: 0, offset: '5' },
            { partition: 1, offset: '1' },
          ],
        },
        { topic: 'b', partitions: [{ partition: 2, offset: '10' }] },
      ],
    });
  });

  it('commitDueFollowsKafkajsPolicy: off without autoCommit, always with neither bound, else by threshold or interval', () => {
    expect(new ResolvedOffsets({ autoCommit: false, autoCommitInterval: null, autoCommitThreshold: null }).commitDue()).toBe(false);
    expect(new ResolvedOffsets({ autoCommit: true, autoCommitInterval: null, autoCommitThreshold: null }).commitDue()).toBe(true);
    const byCount = new ResolvedOffsets({ autoCommit: true, autoCommitInterval: null, autoCommitThreshold: 3 });
    byCount.resolve('t', 0, 0n);
    byCount.resolve('t', 0, 1n);
    expect(byCount.commitDue()).toBe(false);
    byCount.resolve('t', 1, 0n);
    expect(byCount.commitDue()).toBe(true);
    byCount.committed(byCount.uncommitted());
    expect(byCount.commitDue()).toBe(false);
    const byTime = new ResolvedOffsets({ autoCommit: true, autoCommitInterval: 0, autoCommitThreshold: null });
    expect(byTime.commitDue()).toBe(true);
    expect(new ResolvedOffsets({ autoCommit: true, autoCommitInterval: 60_000, autoCommitThreshold: null }).commitDue()).toBe(false);
  });
});
