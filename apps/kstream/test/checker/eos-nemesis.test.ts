// The EOS nemesis aims its crashes where it is told the coordinators and
// leaders are, freezes the worker it draws, follows a fixed sequence when
// given one, and stops early once the workers are done.
import { describe, expect, it } from 'vitest';
import { EosNemesis, FREEZE_MS, type EosNemesisKind, type EosNemesisOptions } from './eos-nemesis.test-support.js';
import { HistoryRecorder } from './history.test-support.js';
import type { FaultControl } from './nemesis.test-support.js';

/** Every control call written down as `name(args)`; every broker reported running at once. */
function recordingControl(calls: string[]): FaultControl {
  const running = { brokers: [1, 2, 3].map((id) => ({ id, state: 'running', alive: true })) };
  return new Proxy({} as FaultControl, {
    get: (_target, name: string) => (name === 'describe' ? async () => running : async (...args: number[]) => void calls.push(`${name}(${args.join(',')})`)),
  });
}

async function run(sequence: readonly EosNemesisKind[], overrides: Partial<EosNemesisOptions> = {}) {
  const calls: string[] = [];
  const frozen: string[] = [];
  const history = new HistoryRecorder(5, 'in');
  const nemesis = new EosNemesis(recordingControl(calls), history, {
    seed: 5,
    faults: 0,
    sequence,
    brokers: [1, 2, 3],
    transactionCoordinator: async () => ({ broker: 2, transactionalId: 'eos-5-3' }),
    groupCoordinator: async () => 3,
    partitionLeader: async () => ({ broker: 1, partition: 'out-4' }),
    freezeWorker: () => {
      frozen.push('worker-2');
      return 'worker-2';
    },
    wait: async () => {},
    ...overrides,
  });
  await nemesis.run();
  return { calls, frozen, faults: history.faults, injected: nemesis.injected };
}

describe('EOS nemesis', () => {
  it('targetedCrashesHitTheBrokersNamed: the transaction coordinator, the group coordinator, the leader', async () => {
    const { calls, faults } = await run(['crash-txn-coordinator', 'crash-group-coordinator', 'crash-leader']);
    expect(calls).toEqual(['crashBroker(2)', 'crashBroker(3)', 'crashBroker(1)']);
    expect(faults.map((f) => f.target)).toEqual(['broker 2 (the transaction coordinator of eos-5-3)', 'broker 3 (the group coordinator)', 'broker 1 (the leader of out-4)']);
  });

  it('freezeWorkerFreezesOneAndRecordsItsPause: no broker touched', async () => {
    const { calls, frozen, faults } = await run(['freeze-worker']);
    expect([calls, frozen]).toEqual([[], ['worker-2']]);
    expect(faults).toHaveLength(1);
    expect(faults[0]!.kind).toBe('pause');
    expect(faults[0]!.target).toBe('worker-2 (the frozen worker)');
    expect(faults[0]!.healedAt! - faults[0]!.startedAt).toBe(FREEZE_MS);
  });

  it('aCoordinatorNoBrokerNamesIsACrashOfABrokerDrawn', async () => {
    const { calls, faults } = await run(['crash-group-coordinator'], { groupCoordinator: async () => undefined });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/^crashBroker\([123]\)$/);
    expect(faults[0]!.target).toMatch(/^broker [123]$/);
  });

  it('stopsOnceTheWorkersAreDone: the fault in progress ends, no other starts', async () => {
    let done = false;
    const { calls, injected } = await run(['crash-leader', 'crash-leader', 'crash-leader'], {
      partitionLeader: async () => {
        done = true;
        return { broker: 1, partition: 'out-0' };
      },
      done: () => done,
    });
    expect([calls, injected]).toEqual([['crashBroker(1)'], 1]);
  });
});
