import type { Logger } from '@kstream/log-storage';
import { ErrorCode, lastOffsetOf, readBatchHeader, setBaseOffset } from '@kstream/protocol';
import type { CoordinatorLog, CoordinatorTimers, GroupCoordinatorConfig } from './coordinator-types.js';

/** Kafka's defaults, with no initial rebalance delay. */
export function testConfig(overrides: Partial<GroupCoordinatorConfig> = {}): GroupCoordinatorConfig {
  return {
    groupInitialRebalanceDelayMs: 0,
    groupMinSessionTimeoutMs: 6000,
    groupMaxSessionTimeoutMs: 1_800_000,
    groupMaxSize: 2_147_483_647,
    offsetsRetentionMs: 10_080 * 60_000,
    offsetsRetentionCheckIntervalMs: 600_000,
    offsetMetadataMaxBytes: 4096,
    offsetsLoadBufferSize: 5_242_880,
    ...overrides,
  };
}

interface PartitionLog {
  readonly batches: Buffer[];
  endOffset: bigint;
}

/**
 * __consumer_offsets in memory, as the broker's CoordinatorLog: an array of
 * batches per partition with the offsets an append assigns. A partition is
 * led at the epoch `lead` gave it; `failNext` makes appends fail (refused, not
 * stored) and `holdAppends` / `holdReads` keep them waiting until released.
 */
export class MemoryCoordinatorLog implements CoordinatorLog {
  private readonly partitions = new Map<number, PartitionLog>();
  private readonly leaderEpochs = new Map<number, number>();
  private readonly failures: number[] = [];
  private appendGate: Promise<void> | undefined;
  private readGate: Promise<void> | undefined;
  appends = 0;

  lead(partition: number, leaderEpoch: number): void {
    this.leaderEpochs.set(partition, leaderEpoch);
    if (!this.partitions.has(partition)) this.partitions.set(partition, { batches: [], endOffset: 0n });
  }

  /** The next appends fail with these error codes, one each, storing nothing. */
  failNext(...errorCodes: number[]): void {
    this.failures.push(...errorCodes);
  }

  /** Drops the failures no append used. */
  clearFailures(): void {
    this.failures.length = 0;
  }

  /** Appends wait until the returned function is called. */
  holdAppends(): () => void {
    const { gate, release } = opened();
    this.appendGate = gate;
    return () => {
      this.appendGate = undefined;
      release();
    };
  }

  get readsHeld(): boolean {
    return this.readGate !== undefined;
  }

  /** Reads wait until the returned function is called. */
  holdReads(): () => void {
    const { gate, release } = opened();
    this.readGate = gate;
    return () => {
      this.readGate = undefined;
      release();
    };
  }

  async append(partition: number, leaderEpoch: number, batch: Buffer) {
    this.appends++;
    const gate = this.appendGate;
    const log = this.partitions.get(partition);
    const refused = log === undefined || this.leaderEpochs.get(partition) !== leaderEpoch ? ErrorCode.NOT_LEADER_OR_FOLLOWER : this.failures.shift();
    if (refused === undefined) {
      const stored = Buffer.from(batch);
      setBaseOffset(stored, 0, log!.endOffset);
      log!.batches.push(stored);
      log!.endOffset = lastOffsetOf(readBatchHeader(stored)!) + 1n;
    }
    if (gate !== undefined) await gate;
    return { errorCode: refused ?? ErrorCode.NONE, errorMessage: null };
  }

  logEndOffset(partition: number): bigint | undefined {
    return this.leaderEpochs.has(partition) ? this.partitions.get(partition)?.endOffset : undefined;
  }

  logStartOffset(partition: number): bigint | undefined {
    return this.leaderEpochs.has(partition) ? 0n : undefined;
  }

  async read(partition: number, offset: bigint, maxBytes: number): Promise<Buffer> {
    if (this.readGate !== undefined) await this.readGate;
    const chosen: Buffer[] = [];
    let size = 0;
    for (const batch of this.partitions.get(partition)?.batches ?? []) {
      if (lastOffsetOf(readBatchHeader(batch)!) < offset) continue;
      if (chosen.length > 0 && size + batch.length > maxBytes) break;
      chosen.push(batch);
      size += batch.length;
    }
    return Buffer.concat(chosen);
  }
}

function opened(): { gate: Promise<void>; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return { gate, release };
}

/** A clock and timers that move only when told to. */
export class ManualTimers implements CoordinatorTimers {
  now = 1_700_000_000_000;
  private nextId = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  readonly clock = (): number => this.now;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Moves the clock by `ms`, running each timer that falls due, in time order, and letting its promises settle. */
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.pending].filter(([, timer]) => timer.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.pending.delete(due[0]);
      this.now = Math.max(this.now, due[1].at);
      due[1].fn();
      await settle();
    }
    this.now = until;
  }
}

/** Lets every pending promise and setImmediate of the coordinator run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise(setImmediate);
}

export class CapturingLogger implements Logger {
  readonly lines: { level: 'info' | 'warn' | 'error'; msg: string; fields?: object }[] = [];
  info(msg: string, fields?: object): void {
    this.lines.push({ level: 'info', msg, fields });
  }
  warn(msg: string, fields?: object): void {
    this.lines.push({ level: 'warn', msg, fields });
  }
  error(msg: string, fields?: object): void {
    this.lines.push({ level: 'error', msg, fields });
  }
}
