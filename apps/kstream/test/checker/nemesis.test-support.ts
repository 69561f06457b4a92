// The nemesis: a seeded scheduler of faults, one at a time, through the
// node's control API. It injects a fault, holds it (a crash until the
// supervisor has the broker back; a pause or a cut 0.5-3 s), heals it, and
// waits a little before the next, so a fault starts about every second.
// The same seed draws the same faults, targets and hold times.
import { setTimeout as sleep } from 'node:timers/promises';
import { FuzzRandom } from '../fuzz-random.test-support.js';
import type { FaultEvent, FaultKind, HistoryRecorder } from './history.test-support.js';

/** The control API calls the nemesis drives (startCluster's `control`). */
export interface FaultControl {
  crashBroker(id: number): Promise<void>;
  restartBroker(id: number): Promise<void>;
  pauseBroker(id: number): Promise<void>;
  resumeBroker(id: number): Promise<void>;
  cutLink(a: number, b: number): Promise<void>;
  healLink(a: number, b: number): Promise<void>;
  cutController(id: number): Promise<void>;
  healController(id: number): Promise<void>;
  healAll(): Promise<void>;
  describe(): Promise<{ brokers: ReadonlyArray<{ id: number; state: string; alive: boolean }> }>;
}

export const FAULT_KINDS: readonly FaultKind[] = ['crash', 'pause', 'cut-link', 'cut-controller', 'restart'];

export interface NemesisOptions {
  readonly seed: number;
  readonly faults: number;
  readonly brokers: readonly number[];
  readonly kinds?: readonly FaultKind[];
  /** How long a crashed broker may take to be running and registered again. */
  readonly recoveryTimeoutMs?: number;
  /** Waits `ms` (holds and gaps); tests pass one that records instead of waiting. */
  readonly wait?: (ms: number) => Promise<void>;
}

export class Nemesis {
  readonly #random: FuzzRandom;
  readonly #wait: (ms: number) => Promise<void>;
  #stopped = false;

  constructor(
    private readonly control: FaultControl,
    private readonly history: HistoryRecorder,
    private readonly options: NemesisOptions,
  ) {
    this.#random = new FuzzRandom(options.seed);
    this.#wait = options.wait ?? ((ms) => sleep(ms));
  }

  /** Injects `faults` faults one after another; resolves once the last is healed. */
  async run(): Promise<void> {
    for (let i = 0; i < this.options.faults && !this.#stopped; i++) {
      await this.injectOne();
      await this.#wait(this.#random.between(200, 800));
    }
  }

  /**
   * Injects one fault and heals it: `kind` drawn from `kinds` unless given,
   * on a broker drawn unless `on` names it (`note` is added to the fault's
   * target). A workload that mixes in faults of its own calls this.
   */
  async injectOne(kind?: FaultKind, on?: { readonly broker: number; readonly note: string }): Promise<void> {
    await this.#inject(kind ?? this.#random.pick(this.options.kinds ?? FAULT_KINDS), on);
  }

  /** Ends the run after the fault in progress is healed. */
  stop(): void {
    this.#stopped = true;
  }

  async #inject(kind: FaultKind, on?: { readonly broker: number; readonly note: string }): Promise<void> {
    const { brokers } = this.options;
    const broker = on?.broker ?? this.#random.pick(brokers);
    const hold = this.#random.between(500, 3_000);
    const startedAt = this.history.now();
    const record = (target: string, healedAt: number | null): void => {
      const fault: FaultEvent = { kind, target: on === undefined ? target : `${target} ${on.note}`, startedAt, healedAt };
      this.history.faults.push(fault);
    };
    switch (kind) {
      case 'crash':
        await this.control.crashBroker(broker);
        await this.#untilRunning(broker);
        return record(`broker ${broker}`, this.history.now());
      case 'restart':
        await this.control.restartBroker(broker);
        return record(`broker ${broker}`, this.history.now());
      case 'pause':
        await this.control.pauseBroker(broker);
        await this.#wait(hold);
        await this.control.resumeBroker(broker);
        return record(`broker ${broker}`, this.history.now());
      case 'cut-link': {
        const other = this.#random.pick(brokers.filter((b) => b !== broker));
        await this.control.cutLink(broker, other);
        await this.#wait(hold);
        await this.control.healLink(broker, other);
        return record(`brokers ${broker}-${other}`, this.history.now());
      }
      case 'cut-controller':
        await this.control.cutController(broker);
        await this.#wait(hold);
        await this.control.healController(broker);
        return record(`broker ${broker}-controller`, this.history.now());
      default: {
        const unknown: never = kind;
        throw new Error(`unknown fault kind ${String(unknown)}`);
      }
    }
  }

  async #untilRunning(broker: number): Promise<void> {
    const deadline = Date.now() + (this.options.recoveryTimeoutMs ?? 15_000);
    for (;;) {
      const { brokers } = await this.control.describe();
      const b = brokers.find((d) => d.id === broker);
      if (b?.state === 'running' && b.alive) return;
      if (Date.now() > deadline) {
        throw new Error(`seed=${this.options.seed}: broker ${broker} was not running and registered again within ${this.options.recoveryTimeoutMs ?? 15_000} ms of its crash`);
      }
      await sleep(50);
    }
  }
}
