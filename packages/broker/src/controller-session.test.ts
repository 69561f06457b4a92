import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ControllerSession } from './controller-session.js';

describe('ControllerSession', () => {
  const events: string[] = [];
  let session: ControllerSession;

  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    events.length = 0;
    session = new ControllerSession({
      timeoutMs: 1_000,
      onLapse: (silentForMs) => events.push(`lapse after ${silentForMs}`),
      onRestore: () => events.push('restore'),
    });
  });

  afterEach(() => {
    session.close();
    vi.useRealTimers();
  });

  it('lapsesATimeoutAfterTheLastAcknowledgedSendNotItsAnswer: the broker gives up no later than the controller fences it', () => {
    vi.advanceTimersByTime(300);
    session.registered(0); // sent at 0, answered at 300
    vi.advanceTimersByTime(699);
    expect(events).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(events).toEqual(['lapse after 1000']);
    expect(session.lapsed).toBe(true);
  });

  it('eachAcknowledgedHeartbeatRenewsIt', () => {
    session.registered(0);
    for (let t = 500; t <= 3_000; t += 500) {
      vi.advanceTimersByTime(500);
      session.acknowledged(t);
    }
    vi.advanceTimersByTime(999);
    expect(events).toEqual([]);
  });

  it('anAcknowledgedHeartbeatAfterALapseRestoresIt', () => {
    session.registered(0);
    vi.advanceTimersByTime(1_500);
    session.acknowledged(1_400);
    expect(events).toEqual(['lapse after 1000', 'restore']);
    expect(session.lapsed).toBe(false);
    vi.advanceTimersByTime(900);
    expect(events).toEqual(['lapse after 1000', 'restore', 'lapse after 1000']);
  });

  it('aRegistrationAfterALapseRenewsWithoutRestoring: its snapshot tells the roles anew', () => {
    session.registered(0);
    vi.advanceTimersByTime(2_000);
    session.registered(1_900);
    expect(events).toEqual(['lapse after 1000']);
    expect(session.lapsed).toBe(false);
  });

  it('anAnswerToAnOlderHeartbeatDoesNotMoveTheDeadlineBack', () => {
    session.registered(0);
    vi.advanceTimersByTime(600);
    session.acknowledged(600);
    session.acknowledged(100);
    vi.advanceTimersByTime(999);
    expect(events).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(events).toEqual(['lapse after 1000']);
  });

  it('closedNeverLapses', () => {
    session.registered(0);
    session.close();
    vi.advanceTimersByTime(5_000);
    expect(events).toEqual([]);
  });
});
