import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetadataFreshness } from './metadata-freshness.js';

describe('MetadataFreshness', () => {
  it('anInvalidationDuringARefreshOutlivesIt', () => {
    const freshness = new MetadataFreshness();
    expect(freshness.isFresh('t')).toBe(false);
    const first = freshness.begin();
    freshness.refreshed('t', first);
    expect(freshness.isFresh('t')).toBe(true);
    const second = freshness.begin();
    freshness.invalidate('t');
    expect(freshness.invalidatedSince(second, 't')).toBe(true);
    freshness.refreshed('t', second);
    expect(freshness.isFresh('t')).toBe(false);
    freshness.refreshed('t', freshness.begin());
    expect(freshness.isFresh('t')).toBe(true);
    freshness.invalidate();
    expect(freshness.isFresh('t')).toBe(false);
    expect(freshness.invalidatedSince(second)).toBe(true);
  });

  // Model: a topic is fresh iff some refresh that began after its last invalidation (of it or of all) answered for it.
  it('agreesWithAModelOfEvents', () => {
    const event = fc.oneof(
      fc.record({ kind: fc.constant('begin' as const) }),
      fc.record({ kind: fc.constant('invalidate' as const), topic: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }) }),
      fc.record({ kind: fc.constant('refreshed' as const), topic: fc.constantFrom('a', 'b'), which: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        const freshness = new MetadataFreshness();
        const begun: number[] = [];
        const log: Array<{ kind: 'begin'; at: number } | { kind: 'invalidate'; topic: string | undefined }> = [];
        const answered = new Map<string, number[]>();
        for (const e of events) {
          if (e.kind === 'begin') {
            const at = freshness.begin();
            begun.push(at);
            log.push({ kind: 'begin', at });
          } else if (e.kind === 'invalidate') {
            freshness.invalidate(e.topic);
            log.push({ kind: 'invalidate', topic: e.topic });
          } else if (begun.length > 0) {
            const at = begun[e.which % begun.length]!;
            freshness.refreshed(e.topic, at);
            answered.set(e.topic, [...(answered.get(e.topic) ?? []), at]);
          }
        }
        for (const topic of ['a', 'b']) {
          // Position (in the log) of the last invalidation touching the topic, and of each answering refresh's begin.
          const lastInvalidation = log.findLastIndex((entry) => entry.kind === 'invalidate' && (entry.topic === undefined || entry.topic === topic));
          const fresh = (answered.get(topic) ?? []).some((at) => log.findIndex((entry) => entry.kind === 'begin' && entry.at === at) > lastInvalidation);
          expect(freshness.isFresh(topic)).toBe(fresh);
        }
      }),
    );
  });
});
