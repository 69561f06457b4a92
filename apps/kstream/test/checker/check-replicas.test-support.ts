// The rules on the replicas as they lie on disk after a clean stop.
//
// replicasDiverge: below its own checkpointed high watermark a replica holds
// only committed records, so no two replicas (nor the log the leader served)
// may hold different values at one offset there. Above it a tail may still
// differ until the replica truncates by leader epoch: not checked.
//
// replicaNotIdentical: the bound is the leader's high watermark when the
// final log was read, with the ISR of that moment. The high watermark is
// the lowest log end offset of the ISR, so every in-sync replica holds every
// batch below it, and followers append the leader's batches as they are: the
// bytes must be the same, batch for batch. A follower's own checkpointed high
// watermark would be a weaker bound (it trails the leader's by a fetch), and
// the common prefix none at all (it hides a replica missing committed data).
import type { FinalPartition, ReplicaLog, StoredBatch } from './final-state.test-support.js';
import type { Violation } from './violation.test-support.js';

export function checkReplicasAgree(partition: number, final: FinalPartition): Violation[] {
  const holders = new Map<bigint, Map<string, string[]>>();
  const hold = (offset: bigint, value: string, who: string): void => {
    const values = holders.get(offset) ?? new Map<string, string[]>();
    values.set(value, [...(values.get(value) ?? []), who]);
    holders.set(offset, values);
  };
  for (const r of final.log) hold(r.offset, r.value, `the leader's final log (broker ${final.leader})`);
  for (const replica of final.replicas) {
    for (const batch of replica.batches) {
      for (const r of batch.records) if (r.offset < replica.highWatermark) hold(r.offset, r.value, `broker ${replica.broker}`);
    }
  }
  const violations: Violation[] = [];
  for (const [offset, values] of [...holders].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (values.size < 2) continue;
    violations.push({
      rule: 'replicasDiverge',
      partition,
      offset,
      value: [...values.keys()][0]!,
      message: [...values].map(([value, who]) => `${who.join(', ')}: ${JSON.stringify(value)}`).join('; '),
    });
  }
  return violations;
}

function below(batches: readonly StoredBatch[], bound: bigint): StoredBatch[] {
  return batches.filter((b) => b.baseOffset < bound);
}

function endOf(batches: readonly StoredBatch[]): bigint {
  return batches.at(-1)?.lastOffset === undefined ? 0n : batches.at(-1)!.lastOffset + 1n;
}

export function checkInSyncBytes(partition: number, final: FinalPartition): Violation[] {
  const leader = final.replicas.find((r) => r.broker === final.leader);
  if (leader === undefined) {
    return [{ rule: 'replicaNotIdentical', partition, offset: null, value: null, message: `no replica of the leader, broker ${final.leader}, on disk` }];
  }
  const reference = below(leader.batches, final.highWatermark);
  const violations: Violation[] = [];
  for (const replica of final.replicas) {
    if (!replica.inSync || replica === leader) continue;
    const problem = firstDifference(reference, below(replica.batches, final.highWatermark), replica, final);
    if (problem !== null) violations.push({ rule: 'replicaNotIdentical', partition, ...problem });
  }
  if (endOf(reference) < final.highWatermark) {
    violations.push({
      rule: 'replicaNotIdentical',
      partition,
      offset: endOf(reference),
      value: null,
      message: `the leader, broker ${final.leader}, holds offsets up to ${endOf(reference)} on disk, below its high watermark ${final.highWatermark}`,
    });
  }
  return violations;
}

function firstDifference(
  reference: readonly StoredBatch[],
  batches: readonly StoredBatch[],
  replica: ReplicaLog,
  final: FinalPartition,
): { offset: bigint; value: string | null; message: string } | null {
  for (let i = 0; i < reference.length; i++) {
    const expected = reference[i]!;
    const actual = batches[i];
    if (actual === undefined) {
      return {
        offset: expected.baseOffset,
        value: expected.records[0]?.value ?? null,
        message: `in-sync broker ${replica.broker} ends at offset ${endOf(batches)}, below the high watermark ${final.highWatermark} of leader ${final.leader}`,
      };
    }
    if (!actual.bytes.equals(expected.bytes)) {
      return {
        offset: expected.baseOffset,
        value: expected.records[0]?.value ?? null,
        message: `in-sync broker ${replica.broker}'s batch at offset ${actual.baseOffset} (${actual.bytes.length} bytes) differs from leader ${final.leader}'s at ${expected.baseOffset} (${expected.bytes.length} bytes)`,
      };
    }
  }
  return null;
}
