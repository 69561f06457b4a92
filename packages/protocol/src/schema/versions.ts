import type { VersionRange } from './schema-types.js';

/** A parsed version range; `max` is Infinity for an open range such as "3+". */
export interface VersionBounds {
  readonly min: number;
  readonly max: number;
}

const NONE: VersionBounds = { min: 1, max: 0 };
const parsed = new Map<VersionRange, VersionBounds>();
const RANGE = /^(\d+)(?:(\+)|-(\d+))?$/;

/**
 * Parses a range written as Kafka writes it: "0+", "3-7", "5" or "none".
 * "none" parses to an empty range (min > max). A malformed range throws,
 * naming it: schemas are code, so this is a programming error.
 */
export function parseVersionRange(range: VersionRange): VersionBounds {
  const cached = parsed.get(range);
  if (cached !== undefined) return cached;
  let bounds: VersionBounds;
  if (range === 'none') {
    bounds = NONE;
  } else {
    const match = RANGE.exec(range);
    if (match === null) throw new Error(`invalid version range "${range}": expected "N+", "N-M", "N" or "none"`);
    const min = Number(match[1]);
    const max = match[2] !== undefined ? Infinity : match[3] !== undefined ? Number(match[3]) : min;
    if (max < min) throw new Error(`invalid version range "${range}": ${max} is below ${min}`);
    bounds = { min, max };
  }
  parsed.set(range, bounds);
  return bounds;
}

/** Whether `version` lies in `range`; an absent range (an optional spec attribute) holds no version. */
export function inVersionRange(range: VersionRange | undefined, version: number): boolean {
  if (range === undefined) return false;
  const { min, max } = parseVersionRange(range);
  return version >= min && version <= max;
}

/** Every version of a closed range, e.g. an API's validVersions "0-4" → [0, 1, 2, 3, 4]. */
export function versionsIn(range: VersionRange): number[] {
  const { min, max } = parseVersionRange(range);
  if (max === Infinity) throw new Error(`version range "${range}" is open-ended; cannot list its versions`);
  const versions: number[] = [];
  for (let v = min; v <= max; v++) versions.push(v);
  return versions;
}
