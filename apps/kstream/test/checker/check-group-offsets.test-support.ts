// The coordinator's rules on committed offsets and generations, over what
// the members saw on the wire: a partition's committed offset never goes
// back in real time; OffsetFetch answers only offsets a commit carried; a
// commit of an old generation is refused once a later generation's
// SyncGroup was answered; and SyncGroup never hands one partition to two
// members of one generation, nor does a member deliver outside its share.
import type { Assignment, CommitOp, Delivery, OffsetSample } from './group-history.test-support.js';
import type { GroupViolation } from './group-violation.test-support.js';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

interface Observation {
  readonly what: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly invokedAt: number;
  readonly completedAt: number;
}

function observations(commits: readonly CommitOp[], samples: readonly OffsetSample[]): Observation[] {
  return [
    ...commits
      .filter((c) => c.outcome.kind === 'ok')
      .map((c) => ({
        what: `${c.consumer}'s commit of ${c.offset} (generation ${c.generation})`,
        partition: c.partition,
        offset: c.offset,
        invokedAt: c.invokedAt,
        completedAt: c.completedAt,
      })),
    ...samples.map((s) => ({ what: `OffsetFetch by ${s.source} answering ${s.offset}`, ...s })),
  ];
}

/**
 * For every pair of observations of a partition's committed offset (an
 * acknowledged commit, an OffsetFetch answer) where the first completed
 * before the second began, the second is not lower. Overlapping ones are
 * not ordered.
 */
export function checkCommittedMonotonic(commits: readonly CommitOp[], samples: readonly OffsetSample[]): GroupViolation[] {
  const byPartition = new Map<number, Observation[]>();
  for (const o of observations(commits, samples)) {
    const list = byPartition.get(o.partition) ?? [];
    list.push(o);
    byPartition.set(o.partition, list);
  }
  const violations: GroupViolation[] = [];
  for (const [partition, all] of byPartition) {
    const byCompletion = [...all].sort((a, b) => a.completedAt - b.completedAt);
    const byInvocation = [...all].sort((a, b) => a.invokedAt - b.invokedAt);
    let highest: Observation | null = null;
    let next = 0;
    for (const later of byInvocation) {
      while (next < byCompletion.length && byCompletion[next]!.completedAt < later.invokedAt) {
        const done = byCompletion[next++]!;
        if (highest === null || done.offset > highest.offset) highest = done;
      }
      if (highest === null || later.offset >= highest.offset) continue;
      violations.push({
        rule: 'committedWentBackward',
        partition,
        offset: later.offset,
        value: null,
        at: later.invokedAt,
        message: `${later.what} (${seconds(later.invokedAt)}-${seconds(later.completedAt)}) is below ${highest.what}, done at ${seconds(highest.completedAt)}`,
      });
    }
  }
  return violations;
}

/** Every offset OffsetFetch answers (other than -1, none) is one a commit that may have been written carried, begun before the answer came. */
export function checkFetchedWereCommitted(commits: readonly CommitOp[], samples: readonly OffsetSample[]): GroupViolation[] {
  const byOffset = new Map<string, CommitOp[]>();
  for (const c of commits) {
    const list = byOffset.get(`${c.partition}:${c.offset}`) ?? [];
    list.push(c);
    byOffset.set(`${c.partition}:${c.offset}`, list);
  }
  const violations: GroupViolation[] = [];
  for (const s of samples) {
    if (s.offset < 0n) continue;
    const carried = (byOffset.get(`${s.partition}:${s.offset}`) ?? []).filter((c) => c.invokedAt < s.completedAt);
    if (carried.some((c) => c.outcome.kind !== 'refused')) continue;
    const refused =
      carried.length === 0 ? 'no commit carried it' : `only commits refused (${carried.map((c) => (c.outcome.kind === 'ok' ? '' : c.outcome.error)).join(', ')}) carried it`;
    violations.push({
      rule: 'fetchedUncommitted',
      partition: s.partition,
      offset: s.offset,
      value: null,
      at: s.completedAt,
      message: `OffsetFetch by ${s.source} at ${seconds(s.completedAt)} answered ${s.offset}; ${refused}`,
    });
  }
  return violations;
}

/**
 * A commit carrying generation g that began after some member's SyncGroup of
 * a later generation was answered NONE must be refused (ILLEGAL_GENERATION):
 * that generation was written to the log before its SyncGroup was answered,
 * so no coordinator can be at g any more.
 */
export function checkStaleGenerationsRefused(commits: readonly CommitOp[], assignments: readonly Assignment[]): GroupViolation[] {
  const synced = [...assignments].sort((a, b) => a.at - b.at);
  const violations: GroupViolation[] = [];
  for (const c of commits) {
    if (c.outcome.kind !== 'ok' || c.generation < 0) continue;
    const later = synced.find((a) => a.at < c.invokedAt && a.generation > c.generation);
    if (later === undefined) continue;
    violations.push({
      rule: 'staleGenerationCommitAccepted',
      partition: c.partition,
      offset: c.offset,
      value: null,
      at: c.invokedAt,
      message: `${c.consumer}'s commit of generation ${c.generation} began at ${seconds(c.invokedAt)} and was acknowledged, after ${later.consumer}'s SyncGroup of generation ${later.generation} was answered at ${seconds(later.at)}`,
    });
  }
  return violations;
}

/**
 * Within one generation the eager protocol's assignments are disjoint, and a
 * member delivers only its own partitions. Across generations overlap is
 * allowed: a member of generation g fetches until it learns of the
 * rebalance, while a member of g+1 already owns its partitions.
 */
export function checkAssignments(assignments: readonly Assignment[], deliveries: readonly Delivery[]): GroupViolation[] {
  const violations: GroupViolation[] = [];
  const owners = new Map<string, Set<string>>();
  const shares = new Map<string, Set<number>>();
  for (const a of assignments) {
    const share = shares.get(`${a.memberId}\u0000${a.generation}`) ?? new Set<number>();
    for (const p of a.partitions) {
      share.add(p);
      const key = `${a.generation}\u0000${p}`;
      const members = owners.get(key) ?? new Set<string>();
      if (members.size > 0 && !members.has(a.memberId)) {
        violations.push({
          rule: 'assignedTwice',
          partition: p,
          offset: null,
          value: null,
          at: a.at,
          message: `generation ${a.generation}: SyncGroup gave it to ${a.consumer} (member ${a.memberId}) at ${seconds(a.at)} and to member ${[...members].join(', ')}`,
        });
      }
      owners.set(key, members.add(a.memberId));
    }
    shares.set(`${a.memberId}\u0000${a.generation}`, share);
  }
  const reported = new Set<string>();
  for (const d of deliveries) {
    const key = `${d.memberId}\u0000${d.generation}`;
    if (shares.get(key)?.has(d.partition) === true || reported.has(`${key}\u0000${d.partition}`)) continue;
    reported.add(`${key}\u0000${d.partition}`);
    violations.push({
      rule: 'consumedOutsideAssignment',
      partition: d.partition,
      offset: d.offset,
      value: d.value,
      at: d.at,
      message: `${d.consumer} (member ${d.memberId}) delivered it at ${seconds(d.at)} in generation ${d.generation}, whose assignment gave it [${[...(shares.get(key) ?? [])].join(', ')}]`,
    });
  }
  return violations;
}
