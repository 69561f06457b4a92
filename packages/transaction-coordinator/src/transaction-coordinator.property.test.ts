import { ErrorCode } from '@kstream/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TopicPartitionRef, TxnMarkerEntry, TxnMarkerResult, TxnMarkerWriter } from './coordinator-types.js';
import { decodeTransactionLogRead, TransactionState, type TransactionLogRecordAt } from './records/index.js';
import { fixture, type Fixture, type Producer } from './test-support/coordinator-fixture.test-support.js';
import { settle } from './test-support/fakes.test-support.js';
import { MemoryTransactionLog } from './test-support/memory-transaction-log.test-support.js';

// Random request sequences against one coordinator (with failed log writes,
// failing markers, timeouts, re-elections), then invariants over what it
// wrote to __transaction_state and the markers it sent:
// - per transactional id the producer epoch never decreases;
// - a Complete* record follows a Prepare* of the same kind and producer;
// - a marker goes only to a partition of the transaction being prepared, and
//   every partition of a prepared transaction got its marker before Complete*;
// - no request at an epoch older than one already written succeeds.

const IDS = ['t0', 't1', 't2'];
const PARTITIONS: TopicPartitionRef[] = [
  { topic: 'orders', partition: 0 },
  { topic: 'orders', partition: 1 },
  { topic: 'payments', partition: 0 },
];

interface MarkerEvent {
  readonly entry: TxnMarkerEntry;
  readonly partition: TopicPartitionRef;
  readonly errorCode: number;
  /** The log end offset when the marker was sent: what the coordinator had written by then. */
  readonly logEnd: bigint;
}

class FlakyMarkers implements TxnMarkerWriter {
  readonly events: MarkerEvent[] = [];
  failures = 0;
  constructor(private readonly log: MemoryTransactionLog) {}
  async write(entry: TxnMarkerEntry): Promise<TxnMarkerResult[]> {
    const logEnd = this.log.logEndOffset(0) ?? 0n;
    return entry.partitions.map((partition) => {
      const errorCode = this.failures > 0 ? (this.failures--, ErrorCode.NOT_LEADER_OR_FOLLOWER) : ErrorCode.NONE;
      this.events.push({ entry, partition, errorCode, logEnd });
      return { ...partition, errorCode };
    });
  }
}

type Op =
  | { kind: 'init'; id: number }
  | { kind: 'add'; id: number; zombie: boolean; partitions: number[] }
  | { kind: 'end'; id: number; zombie: boolean; commit: boolean }
  | { kind: 'advance'; ms: number }
  | { kind: 'failWrite' }
  | { kind: 'failMarkers'; count: number }
  | { kind: 'reelect' }
  | { kind: 'pair'; first: Op; second: Op };

const id = fc.integer({ min: 0, max: IDS.length - 1 });
const request: fc.Arbitrary<Op> = fc.oneof(
  id.map((i): Op => ({ kind: 'init', id: i })),
  fc.record({ kind: fc.constant('add' as const), id, zombie: fc.boolean(), partitions: fc.uniqueArray(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('end' as const), id, zombie: fc.boolean(), commit: fc.boolean() }),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: request },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 8000 }).map((ms): Op => ({ kind: 'advance', ms })) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: 'failWrite' }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }).map((count): Op => ({ kind: 'failMarkers', count })) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: 'reelect' }) },
  { weight: 1, arbitrary: fc.tuple(request, request).map(([first, second]): Op => ({ kind: 'pair', first, second })) },
);

interface Success {
  readonly id: string;
  readonly producer: Producer;
  readonly issuedAt: bigint;
}

class Run {
  readonly f: Fixture;
  readonly markers: FlakyMarkers;
  /** Per id: every producer InitProducerId handed out, the latest last. */
  readonly sessions = new Map<string, Producer[]>();
  readonly successes: Success[] = [];
  epoch = 0;

  constructor() {
    const log = new MemoryTransactionLog();
    this.markers = new FlakyMarkers(log);
    this.f = fixture({ log, markerWriter: this.markers, config: { abortTimedOutTransactionsIntervalMs: 1000 } });
  }

  async apply(op: Op): Promise<void> {
    const { f } = this;
    switch (op.kind) {
      case 'init': {
        const txnId = IDS[op.id]!;
        const result = await f.init(txnId, { timeoutMs: 5000 });
        if (result.errorCode === ErrorCode.NONE) this.sessions.set(txnId, [...(this.sessions.get(txnId) ?? []), result]);
        return;
      }
      case 'add':
      case 'end': {
        const txnId = IDS[op.id]!;
        const sessions = this.sessions.get(txnId) ?? [];
        const producer = op.zombie ? sessions[0] : sessions.at(-1);
        if (producer === undefined) return;
        const issuedAt = f.log.logEndOffset(0) ?? 0n;
        const ok =
          op.kind === 'add'
            ? (
                await f.add(
                  txnId,
                  producer,
                  op.partitions.map((i) => PARTITIONS[i]!),
                )
              ).every((code) => code === ErrorCode.NONE)
            : (await f.end(txnId, producer, op.commit)) === ErrorCode.NONE;
        if (ok) this.successes.push({ id: txnId, producer, issuedAt });
        return;
      }
      case 'advance':
        await f.timers.advance(op.ms);
        return;
      case 'failWrite':
        f.log.failNext(ErrorCode.NOT_ENOUGH_REPLICAS);
        return;
      case 'failMarkers':
        this.markers.failures += op.count;
        return;
      case 'reelect':
        f.coordinator.onResignation(0, this.epoch);
        this.epoch++;
        await f.elect(0, this.epoch);
        return;
      case 'pair':
        await Promise.all([this.apply(op.first), this.apply(op.second)]);
        return;
    }
  }
}

function check(records: readonly TransactionLogRecordAt[], run: Run): void {
  const byId = new Map<string, TransactionLogRecordAt[]>();
  for (const at of records) byId.set(at.record.transactionalId, [...(byId.get(at.record.transactionalId) ?? []), at]);
  const idOfProducer = new Map<bigint, string>();

  for (const [txnId, history] of byId) {
    for (let i = 0; i < history.length; i++) {
      const value = history[i]!.record.value!;
      idOfProducer.set(value.producerId, txnId);
      const previous = history[i - 1]?.record.value;
      if (previous === undefined || previous === null) continue;
      // Epochs never go back (no id here lives long enough to rotate its producer id).
      expect(value.producerId).toBe(previous.producerId);
      expect(value.producerEpoch).toBeGreaterThanOrEqual(previous.producerEpoch);
      if (value.state === TransactionState.CompleteCommit || value.state === TransactionState.CompleteAbort) {
        const prepare = value.state === TransactionState.CompleteCommit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort;
        expect(previous.state).toBe(prepare);
        expect(previous.producerEpoch).toBe(value.producerEpoch);
        // Every partition of the prepared transaction got its marker between the Prepare and the Complete.
        const from = history[i - 1]!.offset;
        const to = history[i]!.offset;
        const marked = new Set(
          run.markers.events
            .filter(
              (e) =>
                e.errorCode === ErrorCode.NONE && e.entry.producerId === value.producerId && e.entry.producerEpoch === value.producerEpoch && e.logEnd > from && e.logEnd <= to,
            )
            .map((e) => `${e.partition.topic}-${e.partition.partition}`),
        );
        for (const partition of previous.partitions) expect(marked).toContain(`${partition.topic}-${partition.partition}`);
      }
    }
    // Everything prepared was completed once the markers could get through.
    const last = history.at(-1)!.record.value!.state;
    expect([TransactionState.PrepareCommit, TransactionState.PrepareAbort]).not.toContain(last);
  }

  // A marker goes only to a partition of the transaction its id was preparing when it was sent.
  for (const event of run.markers.events) {
    const txnId = idOfProducer.get(event.entry.producerId)!;
    const written = byId.get(txnId)!.filter((at) => at.offset < event.logEnd);
    const latest = written.at(-1)!.record.value!;
    expect(latest.state).toBe(event.entry.commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort);
    expect(latest.producerEpoch).toBe(event.entry.producerEpoch);
    expect(latest.partitions.map((p) => `${p.topic}-${p.partition}`)).toContain(`${event.partition.topic}-${event.partition.partition}`);
  }

  // No success at an epoch older than one already written when the request was sent.
  for (const success of run.successes) {
    const before = (byId.get(success.id) ?? []).filter((at) => at.offset < success.issuedAt);
    const newest = Math.max(-1, ...before.map((at) => at.record.value!.producerEpoch));
    expect(success.producer.producerEpoch).toBeGreaterThanOrEqual(newest);
  }
}

describe('transaction coordinator under random request sequences', () => {
  it('keepsEpochsMonotonicCompletesOnlyPreparedAndMarksExactlyTheAddedPartitions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const run = new Run();
        await run.f.elect(0, 0);
        for (const step of ops) {
          await run.apply(step);
          await settle(3);
        }
        // Let every retry and timeout run out.
        run.markers.failures = 0;
        for (let i = 0; i < 5; i++) await run.f.timers.advance(10_000);
        await settle();
        const bytes = await run.f.log.read(0, 0n, Number.MAX_SAFE_INTEGER);
        check((await decodeTransactionLogRead(bytes, 0)).records, run);
        run.f.coordinator.close();
      }),
      { numRuns: 150 },
    );
  });
});
