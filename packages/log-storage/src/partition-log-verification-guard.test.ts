// KIP-890 part 1: a transactional batch beginning a transaction, verified
// with the coordinator, is appended only while the producer state still
// holds the guard taken before asking.
import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { tempLogDir } from './log-test-dir.test-support.js';
import { manualClock, openLog } from './partition-log.test-support.js';
import { ProducerStateError } from './producer-state-errors.js';
import { producerBatch } from './producer-state.test-support.js';

const PID = 7000n;

async function refusal(append: Promise<unknown>): Promise<number> {
  const error = await append.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ProducerStateError)) throw new Error(`expected a ProducerStateError, got ${String(error)}`);
  return error.errorCode;
}

describe('PartitionLog verification guard', () => {
  it('guardHeldBeginsTransaction: the first transactional batch with the held guard opens the transaction, and later ones need none', async () => {
    const log = await openLog(tempLogDir());
    expect(log.hasOngoingTransaction(PID)).toBe(false);
    const guard = log.verificationGuard(PID);
    expect(log.verificationGuard(PID)).toBe(guard);
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, transactional: true }), 0, 'client', guard);
    expect(log.hasOngoingTransaction(PID)).toBe(true);
    expect(log.firstUnstableOffset(log.logEndOffset)).toBe(0n);
    // The transactional batch cleared the guard: a continuing batch is not checked against it.
    expect(log.verificationGuard(PID)).not.toBe(guard);
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 1, transactional: true }), 0, 'client', guard);
    expect(log.logEndOffset).toBe(2n);
    await log.close();
  });

  it('markerDuringVerificationVoidsGuard: an abort marker written while the coordinator is asked makes the late batch INVALID_TXN_STATE, the partition stays stable', async () => {
    const log = await openLog(tempLogDir());
    const guard = log.verificationGuard(PID);
    await log.appendTxnMarker({ producerId: PID, producerEpoch: 0, coordinatorEpoch: 0, commit: false }, 0);
    const end = log.logEndOffset;
    expect(await refusal(log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, transactional: true }), 0, 'client', guard))).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(log.logEndOffset).toBe(end);
    expect(log.hasOngoingTransaction(PID)).toBe(false);
    expect(log.firstUnstableOffset(end)).toBeUndefined();
    await log.close();
  });

  it('guardOfAnotherProducerRefused: a guard taken for one producer does not admit another producer batch', async () => {
    const log = await openLog(tempLogDir());
    const guard = log.verificationGuard(PID);
    expect(await refusal(log.appendAsLeader(producerBatch({ producerId: PID + 1n, epoch: 0, seq: 0, transactional: true }), 0, 'client', guard))).toBe(ErrorCode.INVALID_TXN_STATE);
    await log.close();
  });

  it('noGuardKeepsOldBehaviour: without a guard (verification off) a transactional batch opens a transaction as before', async () => {
    const log = await openLog(tempLogDir());
    await log.appendTxnMarker({ producerId: PID, producerEpoch: 0, coordinatorEpoch: 0, commit: false }, 0);
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, transactional: true }), 0);
    expect(log.hasOngoingTransaction(PID)).toBe(true);
    await log.close();
  });
});

describe('PartitionLog verification guard expiry', () => {
  it('guardExpiresWithProducerIdExpiration: a guard whose batch never came is dropped, a new one taken after', async () => {
    const clock = manualClock();
    const log = await openLog(tempLogDir(), { clock: clock.now });
    const guard = log.verificationGuard(PID);
    clock.advance(1_000);
    log.removeExpiredProducers(clock.now(), 5_000);
    expect(log.verificationGuard(PID)).toBe(guard);
    clock.advance(5_000);
    log.removeExpiredProducers(clock.now(), 5_000);
    expect(log.verificationGuard(PID)).not.toBe(guard);
    expect(await refusal(log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, transactional: true }), 0, 'client', guard))).toBe(ErrorCode.INVALID_TXN_STATE);
    await log.close();
  });
});
