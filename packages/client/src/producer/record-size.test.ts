import { layoutRecords, type RecordHeader } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { recordSize } from './record-size.js';

describe('recordSize', () => {
  it('matchesTheEncodedSizeWithThreeByteDeltas', () => {
    // Deltas of 100000 take 3 bytes as zigzag varints: the size recordSize assumes for both.
    const cases: [Buffer | null, Buffer | null, RecordHeader[] | undefined][] = [
      [null, null, undefined],
      [Buffer.alloc(5), Buffer.alloc(200), undefined],
      [
        null,
        Buffer.alloc(3),
        [
          { key: 'trace-é', value: Buffer.alloc(2) },
          { key: 'k', value: null },
        ],
      ],
    ];
    for (const [key, value, headers] of cases) {
      const encoded = layoutRecords([{ key, value, headers, offsetDelta: 100_000, timestamp: 100_000 }], 0).size;
      expect(recordSize(key, value, headers)).toBe(encoded);
    }
  });
});
