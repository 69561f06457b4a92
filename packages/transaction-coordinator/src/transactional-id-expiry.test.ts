import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { fixture, initialized, orders0 } from './test-support/coordinator-fixture.test-support.js';
import { settle } from './test-support/fakes.test-support.js';

describe('transactional id expiry', () => {
  it('idleIdsAreTombstonedAndForgottenButOpenTransactionsStay', async () => {
    const f = fixture({ config: { transactionalIdExpirationMs: 60_000, removeExpiredTransactionalIdsIntervalMs: 10_000, abortTimedOutTransactionsIntervalMs: 3_600_000 } });
    await f.elect();
    await initialized(f, 'idle');
    const busy = await initialized(f, 'busy', 900_000);
    await f.add('busy', busy, [orders0]);
    const done = await initialized(f, 'done');
    await f.add('done', done, [orders0]);
    await f.end('done', done, true);
    await settle();
    await f.timers.advance(70_000);
    const records = await f.log.records();
    expect(
      records
        .filter((r) => r.value === null)
        .map((r) => r.transactionalId)
        .sort(),
    ).toEqual(['done', 'idle']);
    expect((await f.describe('idle')).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    expect((await f.describe('done')).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    expect((await f.describe('busy')).transactionState).toBe('Ongoing');
    // An expired id starts over with a fresh producer id.
    expect((await f.init('idle')).producerId).toBe(1003n);
  });

  it('failedTombstoneWriteKeepsTheIdsForTheNextCheck', async () => {
    const f = fixture({ config: { transactionalIdExpirationMs: 60_000, removeExpiredTransactionalIdsIntervalMs: 70_000 } });
    await f.elect();
    await initialized(f, 'idle');
    f.log.failNext(ErrorCode.NOT_ENOUGH_REPLICAS);
    await f.timers.advance(70_000);
    expect((await f.describe('idle')).transactionState).toBe('Empty');
    await f.timers.advance(70_000);
    expect((await f.describe('idle')).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  });
});
