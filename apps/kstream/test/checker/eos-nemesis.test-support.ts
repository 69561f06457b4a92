// The EOS run's nemesis: the replication nemesis's broker faults (crash,
// pause, cut link, cut controller channel, clean restart) and crashes aimed
// where exactly-once lives — the transaction coordinator's broker (of one
// worker's transactional id, drawn), the group coordinator's broker, and the
// leader of a partition of the input or the output topic (drawn) — and a
// worker frozen before its commit until the group has moved its partitions
// (a zombie the new owner must fence). One fault
// at a time, drawn from the seed, with gaps long enough for the workers to
// commit between.
import { setTimeout as sleep } from 'node:timers/promises';
import { FuzzRandom } from '../fuzz-random.test-support.js';
import type { FaultKind, HistoryRecorder } from './history.test-support.js';
import { FAULT_KINDS, Nemesis, type FaultControl } from './nemesis.test-support.js';

/** A crashed broker recovers its logs, producer state and snapshots before it registers: given longer than the replication run's 15 s, as a long run's logs grow. */
const RECOVERY_TIMEOUT_MS = 60_000;

/** How long a frozen worker stalls before committing: past its session timeout (6 s) and the rebalance after it. */
export const FREEZE_MS = 12_000;

export type EosNemesisKind = FaultKind | 'crash-txn-coordinator' | 'crash-group-coordinator' | 'crash-leader' | 'freeze-worker';

export const EOS_TARGETED_KINDS: readonly EosNemesisKind[] = ['crash-txn-coordinator', 'crash-group-coordinator', 'crash-leader', 'freeze-worker'];
export const EOS_FAULT_KINDS: readonly EosNemesisKind[] = [...FAULT_KINDS, ...EOS_TARGETED_KINDS];

export interface EosNemesisOptions {
  readonly seed: number;
  readonly faults: number;
  readonly brokers: readonly number[];
  readonly kinds?: readonly EosNemesisKind[];
  /** The faults in this order instead of drawn (a short run that must hit each kind once); `faults` is then its length. */
  readonly sequence?: readonly EosNemesisKind[];
  /** The broker coordinating transactional id `<prefix>-<p>` for a p drawn; undefined when no broker names one. */
  readonly transactionCoordinator: (random: FuzzRandom) => Promise<{ broker: number; transactionalId: string } | undefined>;
  readonly groupCoordinator: () => Promise<number | undefined>;
  /** Freezes a worker drawn before its next commit, long enough to lose its partitions (EosWorker.freeze); resolves with its name. */
  readonly freezeWorker: (random: FuzzRandom) => string;
  /** The leader of a partition of the input or output topic drawn. */
  readonly partitionLeader: (random: FuzzRandom) => Promise<{ broker: number; partition: string } | undefined>;
  /** Ends the run early (the workers are done): the fault in progress is healed first. */
  readonly done?: () => boolean;
  readonly wait?: (ms: number) => Promise<void>;
  readonly log?: (line: string) => void;
}

export class EosNemesis {
  readonly #random: FuzzRandom;
  readonly #brokerFaults: Nemesis;
  readonly #wait: (ms: number) => Promise<void>;
  /** Faults injected so far. */
  injected = 0;

  constructor(
    control: FaultControl,
    private readonly history: HistoryRecorder,
    private readonly options: EosNemesisOptions,
  ) {
    this.#random = new FuzzRandom(options.seed);
    this.#wait = options.wait ?? ((ms) => sleep(ms));
    this.#brokerFaults = new Nemesis(control, history, { seed: options.seed + 1, faults: 0, brokers: options.brokers, wait: this.#wait, recoveryTimeoutMs: RECOVERY_TIMEOUT_MS });
  }

  async run(): Promise<void> {
    const kinds = this.options.kinds ?? EOS_FAULT_KINDS;
    const count = this.options.sequence?.length ?? this.options.faults;
    for (let i = 0; i < count && this.options.done?.() !== true; i++) {
      const kind = this.options.sequence?.[i] ?? this.#random.pick(kinds);
      this.options.log?.(`fault ${i + 1}/${count}: ${kind} at ${(this.history.now() / 1000).toFixed(1)} s`);
      await this.#inject(kind);
      this.injected++;
      await this.#wait(this.#random.between(700, 2_000));
    }
  }

  async #inject(kind: EosNemesisKind): Promise<void> {
    switch (kind) {
      case 'crash-txn-coordinator': {
        const target = await this.options.transactionCoordinator(this.#random);
        return this.#brokerFaults.injectOne(
          'crash',
          target === undefined ? undefined : { broker: target.broker, note: `(the transaction coordinator of ${target.transactionalId})` },
        );
      }
      case 'crash-group-coordinator': {
        const broker = await this.options.groupCoordinator();
        return this.#brokerFaults.injectOne('crash', broker === undefined ? undefined : { broker, note: '(the group coordinator)' });
      }
      case 'crash-leader': {
        const target = await this.options.partitionLeader(this.#random);
        return this.#brokerFaults.injectOne('crash', target === undefined ? undefined : { broker: target.broker, note: `(the leader of ${target.partition})` });
      }
      case 'freeze-worker': {
        const startedAt = this.history.now();
        const worker = this.options.freezeWorker(this.#random);
        // Recorded as a pause of the worker (its own process), for the fault timeline.
        this.history.faults.push({ kind: 'pause', target: `${worker} (the frozen worker)`, startedAt, healedAt: startedAt + FREEZE_MS });
        return this.#wait(FREEZE_MS);
      }
      default:
        return this.#brokerFaults.injectOne(kind);
    }
  }
}
