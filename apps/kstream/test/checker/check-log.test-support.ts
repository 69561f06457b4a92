// The rules on what the logs hold: what a consumer read stays where it was
// read, and every value in the final logs was produced, once.
import type { LogIndex } from './check-produces.test-support.js';
import type { ProduceOp, ReadOp } from './history.test-support.js';
import type { Violation } from './violation.test-support.js';

export function checkReads(reads: readonly ReadOp[], index: LogIndex): Violation[] {
  const violations: Violation[] = [];
  for (const read of reads) {
    const stored = index.byOffset.get(read.partition)?.get(read.offset);
    if (stored === read.value) continue;
    violations.push({
      rule: 'readVanished',
      partition: read.partition,
      offset: read.offset,
      value: read.value,
      message: `${read.consumer} read it at ${(read.at / 1000).toFixed(1)} s; the final log holds ${stored === undefined ? 'nothing' : JSON.stringify(stored)} there`,
    });
  }
  return violations;
}

export interface DuplicateCount {
  /** Values of kafkajs sends stored more than once: kafkajs resent them inside one send (not violations). */
  readonly kafkajsResends: number;
}

/** Every value in the final logs is one a producer sent, stored once (kafkajs's own resends aside, counted). */
export function checkValues(produces: readonly ProduceOp[], index: LogIndex): { violations: Violation[]; duplicates: DuplicateCount } {
  const producers = new Map(produces.map((op) => [op.value, op]));
  const violations: Violation[] = [];
  let kafkajsResends = 0;
  for (const [value, places] of index.byValue) {
    const op = producers.get(value);
    const first = places[0]!;
    if (op === undefined) {
      violations.push({ rule: 'unknownValue', partition: first.partition, offset: first.offset, value, message: 'no producer sent this value' });
      continue;
    }
    if (places.length === 1) continue;
    if (op.client === 'kafkajs') {
      kafkajsResends++;
      continue;
    }
    violations.push({
      rule: 'duplicated',
      partition: first.partition,
      offset: first.offset,
      value,
      message: `${op.producer} sent it once; it is stored at ${places.map((p) => `partition ${p.partition} offset ${p.offset}`).join(', ')}`,
    });
  }
  return { violations, duplicates: { kafkajsResends } };
}
