import fc from 'fast-check';
import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { tempLogDir } from './log-test-dir.test-support.js';
import { openLog } from './partition-log.test-support.js';
import { ProducerStateError } from './producer-state-errors.js';
import { producerBatch } from './producer-state.test-support.js';

const INT32_MAX = 2 ** 31 - 1;

/** What a test append asks for; `seq` is chosen from the model's state when the op runs. */
interface Op {
  producer: number;
  epochStep: number;
  seqKind: 'next' | 'retry' | 'gap' | 'zero' | 'nearWrap';
  pick: number;
  records: number;
}

interface ModelBatch {
  firstSeq: number;
  lastSeq: number;
  firstOffset: bigint;
  lastOffset: bigint;
}
interface ModelProducer {
  epoch: number;
  batches: ModelBatch[];
}

type Outcome = { kind: 'appended' | 'duplicate'; firstOffset: bigint; lastOffset: bigint } | { kind: 'refused'; errorCode: number };

function lastSeqOf(seq: number, records: number): number {
  const delta = records - 1;
  return seq > INT32_MAX - delta ? delta - (INT32_MAX - seq) - 1 : seq + delta;
}

/** The rules the log must follow, written plainly: Kafka 3.x's duplicate, epoch and sequence checks. */
class Model {
  producers = new Map<number, ModelProducer>();
  logEnd = 0n;

  choose(op: Op): { epoch: number; seq: number } {
    const p = this.producers.get(op.producer);
    const epoch = Math.max(0, (p?.epoch ?? 0) + op.epochStep);
    const last = p?.batches[p.batches.length - 1];
    const next = last === undefined ? 0 : last.lastSeq === INT32_MAX ? 0 : last.lastSeq + 1;
    switch (op.seqKind) {
      case 'next':
        return { epoch, seq: next };
      case 'retry': {
        const b = p?.batches[op.pick % Math.max(1, p.batches.length)];
        return { epoch, seq: b?.firstSeq ?? next };
      }
      case 'gap':
        return { epoch, seq: (next + 1 + (op.pick % 3)) % INT32_MAX };
      case 'zero':
        return { epoch, seq: 0 };
      case 'nearWrap':
        return { epoch, seq: INT32_MAX - (op.pick % 3) };
    }
  }

  apply(producer: number, epoch: number, seq: number, records: number): Outcome {
    const lastSeq = lastSeqOf(seq, records);
    const p = this.producers.get(producer);
    if (p !== undefined) {
      const dup = p.epoch === epoch ? p.batches.find((b) => b.firstSeq === seq && b.lastSeq === lastSeq) : undefined;
      if (dup !== undefined) return { kind: 'duplicate', firstOffset: dup.firstOffset, lastOffset: dup.lastOffset };
      if (epoch < p.epoch) return { kind: 'refused', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH };
      if (epoch !== p.epoch && seq !== 0) return { kind: 'refused', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
      if (epoch === p.epoch) {
        const last = p.batches[p.batches.length - 1]?.lastSeq ?? -1;
        const inSequence = seq === last + 1 || (seq === 0 && last === INT32_MAX);
        if (!inSequence) return { kind: 'refused', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
      }
    }
    const entry = p !== undefined && p.epoch === epoch ? p : { epoch, batches: [] };
    const firstOffset = this.logEnd;
    const lastOffset = firstOffset + BigInt(records - 1);
    entry.batches.push({ firstSeq: seq, lastSeq, firstOffset, lastOffset });
    if (entry.batches.length > 5) entry.batches.shift();
    this.producers.set(producer, entry);
    this.logEnd = lastOffset + 1n;
    return { kind: 'appended', firstOffset, lastOffset };
  }
}

const opArb: fc.Arbitrary<Op> = fc.record({
  producer: fc.integer({ min: 0, max: 2 }),
  epochStep: fc.constantFrom(0, 0, 0, 0, 1, -1),
  seqKind: fc.constantFrom('next', 'next', 'next', 'retry', 'retry', 'gap', 'zero', 'nearWrap'),
  pick: fc.nat(10),
  records: fc.integer({ min: 1, max: 3 }),
});

describe('producer state against a model', () => {
  it('acceptsExactlyWhatTheModelAccepts: duplicates answered with the original offsets, in writes of one or several appends', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 25 }), async (ticks) => {
        const log = await openLog(tempLogDir());
        const model = new Model();
        try {
          for (const tick of ticks) {
            // Appends of one tick join one write: each is checked against the ones before it in that write.
            const expected: Outcome[] = [];
            const pending: Promise<Outcome>[] = [];
            for (const op of tick) {
              const { epoch, seq } = model.choose(op);
              expected.push(model.apply(op.producer, epoch, seq, op.records));
              const batch = producerBatch({ producerId: BigInt(1000 + op.producer), epoch, seq, records: op.records });
              pending.push(
                log.appendAsLeader(batch, 0).then(
                  (info): Outcome => ({ kind: info.duplicate === true ? 'duplicate' : 'appended', firstOffset: info.firstOffset, lastOffset: info.lastOffset }),
                  (error: unknown): Outcome => {
                    if (!(error instanceof ProducerStateError)) throw error;
                    return { kind: 'refused', errorCode: error.errorCode };
                  },
                ),
              );
            }
            expect(await Promise.all(pending)).toEqual(expected);
            expect(log.logEndOffset).toBe(model.logEnd);
          }
        } finally {
          await log.close();
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
