import { describe, expect, it } from 'vitest';
import { inVersionRange, parseVersionRange, versionsIn } from './versions.js';

describe('version ranges', () => {
  it('openEndedIncludesEveryLaterVersion', () => {
    expect(inVersionRange('3+', 2)).toBe(false);
    expect(inVersionRange('3+', 3)).toBe(true);
    expect(inVersionRange('3+', 32767)).toBe(true);
  });

  it('closedRangeIsInclusive', () => {
    expect([2, 3, 7, 8].map((v) => inVersionRange('3-7', v))).toEqual([false, true, true, false]);
  });

  it('singleVersion', () => {
    expect([4, 5, 6].map((v) => inVersionRange('5', v))).toEqual([false, true, false]);
  });

  it('noneAndAbsentHoldNoVersion', () => {
    expect(inVersionRange('none', 0)).toBe(false);
    expect(inVersionRange(undefined, 0)).toBe(false);
  });

  it('malformedRangeNamesItself', () => {
    expect(() => parseVersionRange('3..7')).toThrow('invalid version range "3..7"');
    expect(() => parseVersionRange('7-3')).toThrow('invalid version range "7-3"');
  });

  it('listsTheVersionsOfAClosedRange', () => {
    expect(versionsIn('0-4')).toEqual([0, 1, 2, 3, 4]);
    expect(() => versionsIn('0+')).toThrow('open-ended');
  });
});
