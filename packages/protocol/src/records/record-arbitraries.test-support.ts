// fast-check generators for records and batches, shared by the property tests.
import fc from 'fast-check';
import type { RecordHeader, RecordInput } from './record.js';

export const bytes = (maxLength = 64): fc.Arbitrary<Buffer> => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));

/** Null, empty, or up to `maxLength` bytes: null and empty must stay distinct through a round trip. */
export const nullableBytes = (maxLength = 64): fc.Arbitrary<Buffer | null> => fc.oneof(fc.constant(null), fc.constant(Buffer.alloc(0)), bytes(maxLength));

export const header: fc.Arbitrary<RecordHeader> = fc.record({
  key: fc.string({ unit: 'grapheme', maxLength: 8 }),
  value: nullableBytes(16),
});

/** Small and large, positive and negative deltas, up to ±2^52 so base + delta stays a safe integer. */
export const timestampDelta: fc.Arbitrary<number> = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.integer(), fc.bigInt({ min: -(2n ** 52n), max: 2n ** 52n }).map(Number));

export const recordInput: fc.Arbitrary<RecordInput> = fc.record({
  timestampDelta,
  key: nullableBytes(),
  value: nullableBytes(256),
  headers: fc.array(header, { maxLength: 3 }),
});

export const baseTimestamp: fc.Arbitrary<number> = fc.integer({ min: 0, max: 2 ** 31 }).map((s) => 1_600_000_000_000 + s);
