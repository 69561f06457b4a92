// The groups run's nemesis: the replication nemesis's broker faults (crash,
// pause, cut link, cut controller channel, clean restart), a crash aimed at
// the group coordinator's broker, and a member killed without leaving (a new
// member replaces it at once). One fault at a time, drawn from the seed; a
// longer gap than the replication run's, so rebalances can finish between.
import { setTimeout as sleep } from 'node:timers/promises';
import { FuzzRandom } from '../fuzz-random.test-support.js';
import type { GroupHistoryRecorder } from './group-history.test-support.js';
import type { FaultKind } from './history.test-support.js';
import { FAULT_KINDS, Nemesis, type FaultControl } from './nemesis.test-support.js';

export type GroupNemesisKind = FaultKind | 'crash-coordinator' | 'kill-consumer';

export const GROUP_FAULT_KINDS: readonly GroupNemesisKind[] = [...FAULT_KINDS, 'crash-coordinator', 'kill-consumer'];

export interface GroupNemesisOptions {
  readonly seed: number;
  readonly faults: number;
  readonly brokers: readonly number[];
  readonly kinds?: readonly GroupNemesisKind[];
  /** The coordinator's broker now, undefined when no broker names one. */
  readonly coordinator: () => Promise<number | undefined>;
  /** Kills one member without leaving and starts its replacement; resolves with what happened (`member-2, replaced by member-5`). */
  readonly killMember: (random: FuzzRandom) => Promise<string>;
  readonly wait?: (ms: number) => Promise<void>;
  /** A line per fault injected, for long runs' progress. */
  readonly log?: (line: string) => void;
}

export class GroupNemesis {
  readonly #random: FuzzRandom;
  readonly #brokerFaults: Nemesis;
  readonly #wait: (ms: number) => Promise<void>;

  constructor(
    control: FaultControl,
    private readonly recorder: GroupHistoryRecorder,
    private readonly options: GroupNemesisOptions,
  ) {
    this.#random = new FuzzRandom(options.seed);
    this.#wait = options.wait ?? ((ms) => sleep(ms));
    this.#brokerFaults = new Nemesis(control, recorder.base, { seed: options.seed + 1, faults: 0, brokers: options.brokers, wait: this.#wait });
  }

  async run(): Promise<void> {
    const kinds = this.options.kinds ?? GROUP_FAULT_KINDS;
    for (let i = 0; i < this.options.faults; i++) {
      const kind = this.#random.pick(kinds);
      this.options.log?.(`fault ${i + 1}/${this.options.faults}: ${kind} at ${(this.recorder.now() / 1000).toFixed(1)} s`);
      await this.#inject(kind);
      await this.#wait(this.#random.between(500, 1_500));
    }
  }

  async #inject(kind: GroupNemesisKind): Promise<void> {
    if (kind === 'kill-consumer') {
      const startedAt = this.recorder.now();
      const target = await this.options.killMember(this.#random);
      this.recorder.consumerFaults.push({ kind, target, startedAt, healedAt: this.recorder.now() });
      return;
    }
    if (kind === 'crash-coordinator') {
      const coordinator = await this.options.coordinator();
      await this.#brokerFaults.injectOne('crash', coordinator === undefined ? undefined : { broker: coordinator, note: '(the coordinator)' });
      return;
    }
    await this.#brokerFaults.injectOne(kind);
  }
}
