// The nemesis replays from its seed and heals each fault before the next.
import { describe, expect, it } from 'vitest';
import { HistoryRecorder } from './history.test-support.js';
import { Nemesis, type FaultControl } from './nemesis.test-support.js';

/** A control API that answers at once and writes down every call, and the waits between them. */
function recordingControl(calls: string[]): FaultControl {
  const call =
    (name: string) =>
    async (...args: number[]) =>
      void calls.push(`${name}(${args.join(',')})`);
  return {
    crashBroker: call('crashBroker'),
    restartBroker: call('restartBroker'),
    pauseBroker: call('pauseBroker'),
    resumeBroker: call('resumeBroker'),
    cutLink: call('cutLink'),
    healLink: call('healLink'),
    cutController: call('cutController'),
    healController: call('healController'),
    healAll: call('healAll'),
    describe: async () => ({ brokers: [1, 2, 3].map((id) => ({ id, state: 'running', alive: true })) }),
  };
}

async function calls(seed: number, faults = 30): Promise<{ calls: string[]; history: HistoryRecorder }> {
  const made: string[] = [];
  const history = new HistoryRecorder(seed, 't');
  const wait = async (ms: number): Promise<void> => void made.push(`wait ${ms}`);
  await new Nemesis(recordingControl(made), history, { seed, faults, brokers: [1, 2, 3], wait }).run();
  return { calls: made, history };
}

const HEALS: Record<string, string> = { pauseBroker: 'resumeBroker', cutLink: 'healLink', cutController: 'healController' };

describe('nemesis', () => {
  it('sameSeedSameFaults: a seed replays the same faults, targets and hold times; another seed does not', async () => {
    const first = await calls(7);
    expect((await calls(7)).calls).toEqual(first.calls);
    expect((await calls(8)).calls).not.toEqual(first.calls);
    expect(first.history.faults).toHaveLength(30);
    expect(new Set(first.history.faults.map((f) => f.kind))).toEqual(new Set(['crash', 'pause', 'cut-link', 'cut-controller', 'restart']));
  });

  it('healsBeforeTheNext: every pause and cut is healed, on the same target, before another fault starts', async () => {
    const made = (await calls(11)).calls.filter((c) => !c.startsWith('wait'));
    for (let i = 0; i < made.length; i++) {
      const [, name, args] = /^(\w+)\((.*)\)$/.exec(made[i]!)!;
      const heal = HEALS[name!];
      if (heal !== undefined) expect(made[i + 1], `after ${made[i]}`).toBe(`${heal}(${args})`);
    }
  });

  it('holdsWithinBounds: a pause or cut is held 0.5-3 s, the gap before the next fault 0.2-0.8 s', async () => {
    const made = (await calls(3)).calls;
    const holds: number[] = [];
    const gaps: number[] = [];
    made.forEach((c, i) => {
      if (!c.startsWith('wait')) return;
      const injected = HEALS[made[i - 1]!.split('(')[0]!] !== undefined;
      (injected ? holds : gaps).push(Number(c.slice(5)));
    });
    expect(holds.length).toBeGreaterThan(0);
    expect(holds.filter((ms) => ms < 500 || ms > 3_000)).toEqual([]);
    expect(gaps.filter((ms) => ms < 200 || ms > 800)).toEqual([]);
  });
});
