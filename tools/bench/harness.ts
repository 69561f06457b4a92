// Shared measuring and reporting for every benchmark in tools/bench.
// Machines here are noisy: each figure is the median of several rounds, and a
// benchmark reports its baseline, measured in the same run, beside it.

export interface Round {
  /** Units of work done in the round (records, bytes, round trips...). */
  units: number;
  /** Wall time of the round in nanoseconds. */
  nanos: bigint;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `round` `rounds` times (after `warmup` unmeasured rounds) and returns the median rate in units per second. */
export async function measureRate(round: () => Promise<number> | number, { rounds = 7, warmup = 1 }: { rounds?: number; warmup?: number } = {}): Promise<number> {
  for (let i = 0; i < warmup; i++) await round();
  const rates: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    const units = await round();
    const nanos = Number(process.hrtime.bigint() - start);
    rates.push((units * 1e9) / nanos);
  }
  return median(rates);
}

/** Median wall time of `fn` in microseconds. */
export async function measureMicros(fn: () => Promise<unknown> | unknown, { rounds = 21, warmup = 3 }: { rounds?: number; warmup?: number } = {}): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return median(times);
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The same work done the plain way, measured in the same run. */
  baseline?: { name: string; value: number };
  /** A target from the issue, e.g. { atLeast: 5_000_000 } or { atMost: 50 }. */
  target?: { atLeast?: number; atMost?: number };
}

function formatNumber(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

/** Prints one line per figure: value, baseline and ratio, target met or not. */
export function report(title: string, figures: readonly Figure[]): void {
  console.log(`\n${title}`);
  for (const f of figures) {
    let line = `  ${f.name.padEnd(48)} ${formatNumber(f.value).padStart(14)} ${f.unit}`;
    if (f.baseline) {
      line += `   baseline ${f.baseline.name}: ${formatNumber(f.baseline.value)} ${f.unit}`;
      line += ` (ratio ${(f.value / f.baseline.value).toFixed(2)})`;
    }
    if (f.target?.atLeast !== undefined) {
      line += `   target >= ${formatNumber(f.target.atLeast)}: ${f.value >= f.target.atLeast ? 'met' : 'NOT met'}`;
    }
    if (f.target?.atMost !== undefined) {
      line += `   target <= ${formatNumber(f.target.atMost)}: ${f.value <= f.target.atMost ? 'met' : 'NOT met'}`;
    }
    console.log(line);
  }
}
