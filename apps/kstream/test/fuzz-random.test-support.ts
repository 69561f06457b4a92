// The fuzzer's one source of randomness: every choice it makes comes from a
// seeded xorshift32 stream (the frame fuzzer's), so a seed replays the same
// requests in the same order.
import { randomSource } from '../../../packages/protocol/src/frame/frame-fuzz.test-support.js';

export class FuzzRandom {
  /** Raw 32-bit draws, in the form the frame mutator takes them. */
  readonly next: () => number;

  constructor(readonly seed: number) {
    this.next = randomSource(seed);
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return this.next() % n;
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from no items');
    return items[this.below(items.length)]!;
  }

  /** A signed 32-bit integer, uniformly. */
  int32(): number {
    return this.next() | 0;
  }

  /** A signed 64-bit integer, uniformly. */
  int64(): bigint {
    return BigInt.asIntN(64, (BigInt(this.next()) << 32n) | BigInt(this.next()));
  }

  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

/** A fresh seed for a run that was given none. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x1_0000_0000);
}
