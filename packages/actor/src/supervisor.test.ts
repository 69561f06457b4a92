import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { Supervisor } from './index.js';
import type { ChildExit, ChildStart, Logger } from './index.js';

// Children are real worker threads from small inline scripts: they start in
// milliseconds, which keeps restart tests fast.
const crashing = (reason: string) => () => new Worker(`throw new Error(${JSON.stringify(reason)})`, { eval: true });
const exiting = (code: number) => () => new Worker(`process.exit(${code})`, { eval: true });
const running = () => new Worker('setInterval(() => {}, 1000)', { eval: true });

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const supervisors: Supervisor[] = [];

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stopAll()));
});

function supervise(options: ConstructorParameters<typeof Supervisor>[0] = {}) {
  const supervisor = new Supervisor({ logger: quiet, ...options });
  supervisors.push(supervisor);
  const exits: ChildExit[] = [];
  const starts: ChildStart[] = [];
  supervisor.on('exit', (e) => exits.push(e));
  supervisor.on('start', (s) => starts.push(s));
  const nextExit = () => new Promise<ChildExit>((resolve) => supervisor.once('exit', resolve));
  const nextStart = () => new Promise<ChildStart>((resolve) => supervisor.once('start', resolve));
  return { supervisor, exits, starts, nextExit, nextStart };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Supervisor', () => {
  it('restartsAChildThatThrowsAndReportsTheError', async () => {
    const { supervisor, nextExit, nextStart } = supervise({ policy: { initialDelayMs: 5 } });
    let calls = 0;
    const first = supervisor.start('broker-1', () => (++calls === 1 ? crashing('log dir /data/broker-1 is full')() : running()));
    const exit = await nextExit();
    expect(exit.name).toBe('broker-1');
    expect(exit.error?.message).toBe('log dir /data/broker-1 is full');
    expect(exit.exitCode).toBe(1);
    expect(exit.next).toEqual({ action: 'restart', attempt: 1, delayMs: 5 });
    const restarted = await nextStart();
    expect(restarted.restarts).toBe(1);
    expect(restarted.worker).not.toBe(first);
    expect(supervisor.worker('broker-1')).toBe(restarted.worker);
  });

  it('reportsTheExitCodeOfAChildThatExitsWithoutThrowing', async () => {
    const { supervisor, nextExit } = supervise({ policy: { initialDelayMs: 1000 } });
    supervisor.start('broker-2', exiting(3));
    const exit = await nextExit();
    expect(exit.error).toBeNull();
    expect(exit.exitCode).toBe(3);
    expect(supervisor.worker('broker-2')).toBeUndefined();
    expect(supervisor.names).toEqual(['broker-2']);
  });

  it('aWorkerTerminatedFromOutsideIsRestarted', async () => {
    const { supervisor, nextExit, nextStart } = supervise({ policy: { initialDelayMs: 1 } });
    const worker = supervisor.start('broker-3', running);
    const exited = nextExit();
    const restarted = nextStart();
    await worker.terminate();
    expect((await exited).next.action).toBe('restart');
    expect((await restarted).restarts).toBe(1);
  });

  it('keepsRestartingAChildThatAlwaysCrashes: capped doubling backoff, each exit reported, never given up', async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...quiet, warn: (msg) => void warnings.push(msg) };
    const { supervisor, exits, starts } = supervise({ logger, policy: { initialDelayMs: 2, maxDelayMs: 5, resetAfterMs: 60_000 } });
    const twelveExits = new Promise<void>((resolve) => supervisor.on('exit', () => exits.length === 12 && resolve()));
    supervisor.start('broker-4', crashing('corrupt index'));
    await twelveExits;
    expect(exits.map((e) => e.next)).toEqual(Array.from({ length: 12 }, (_, i) => ({ action: 'restart', attempt: i + 1, delayMs: Math.min(5, 2 * 2 ** i) })));
    expect(exits.every((e) => e.error?.message === 'corrupt index')).toBe(true);
    expect(starts.map((s) => s.restarts)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(supervisor.names).toEqual(['broker-4']);
    expect(warnings[11]).toBe("child 'broker-4' exited; restarting it in 5 ms (restart 12 in a row)");
  });

  it('aChildThatRanLongEnoughStartsTheBackoffOver', async () => {
    const { supervisor, exits, nextExit } = supervise({ policy: { initialDelayMs: 1, maxDelayMs: 1_000, resetAfterMs: 2_000 } });
    let calls = 0;
    // Two quick crashes, then a worker that runs past resetAfterMs and exits.
    supervisor.start('broker-9', () => (++calls <= 2 ? crashing('quick')() : new Worker('setTimeout(() => process.exit(4), 2_500)', { eval: true })));
    while (exits.length < 3) await nextExit();
    expect(exits.map((e) => [e.exitCode, e.next])).toEqual([
      [1, { action: 'restart', attempt: 1, delayMs: 1 }],
      [1, { action: 'restart', attempt: 2, delayMs: 2 }],
      [4, { action: 'restart', attempt: 1, delayMs: 1 }],
    ]);
  });

  it('stopTerminatesAChildWithoutRestartingIt', async () => {
    const { supervisor, exits, starts } = supervise({ policy: { initialDelayMs: 1 } });
    supervisor.start('broker-5', running);
    await supervisor.stop('broker-5');
    expect(exits).toHaveLength(1);
    expect(exits[0]!.next).toEqual({ action: 'stop' });
    await sleep(30);
    expect(starts).toHaveLength(1);
    expect(supervisor.names).toEqual([]);
    await expect(supervisor.stop('broker-5')).resolves.toBeUndefined();
  });

  it('stopWhileWaitingToRestartCancelsTheRestart', async () => {
    const { supervisor, starts, nextExit } = supervise({ policy: { initialDelayMs: 50 } });
    supervisor.start('broker-6', crashing('boom'));
    await nextExit();
    await supervisor.stop('broker-6');
    await sleep(80);
    expect(starts).toHaveLength(1);
  });

  it('aFactoryThatThrowsOnRestartCountsAsAnotherExit', async () => {
    const { supervisor, nextStart, exits } = supervise({ policy: { initialDelayMs: 1 } });
    let calls = 0;
    const factory = () => {
      calls++;
      if (calls === 1) return crashing('first')();
      if (calls === 2) throw new Error('cannot open /data/broker-7/meta.properties');
      return running();
    };
    supervisor.start('broker-7', factory);
    let start = await nextStart();
    while (start.restarts < 2) start = await nextStart();
    expect(exits.map((e) => [e.error?.message, e.exitCode, e.next])).toEqual([
      ['first', 1, { action: 'restart', attempt: 1, delayMs: 1 }],
      ['cannot open /data/broker-7/meta.properties', null, { action: 'restart', attempt: 2, delayMs: 2 }],
    ]);
  });

  it('aNameCanBeStartedAgainOnlyAfterItStopped', async () => {
    const { supervisor } = supervise();
    supervisor.start('broker-8', running);
    expect(() => supervisor.start('broker-8', running)).toThrow("child 'broker-8' is already supervised");
    await supervisor.stop('broker-8');
    expect(supervisor.start('broker-8', running)).toBeInstanceOf(Worker);
  });

  it('stopAllStopsEveryChild', async () => {
    const { supervisor, exits } = supervise();
    supervisor.start('a', running);
    supervisor.start('b', running);
    await supervisor.stopAll();
    expect(exits.map((e) => [e.name, e.next.action]).sort()).toEqual([
      ['a', 'stop'],
      ['b', 'stop'],
    ]);
  });

  it('rejectsAPolicyThatCannotBeFollowed', () => {
    expect(() => new Supervisor({ policy: { initialDelayMs: 500, maxDelayMs: 100 } })).toThrow(RangeError);
    const { supervisor } = supervise();
    expect(() => supervisor.start('x', running, { policy: { resetAfterMs: -1 } })).toThrow(RangeError);
  });
});
