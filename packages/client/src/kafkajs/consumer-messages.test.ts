import { describe, expect, it } from 'vitest';
import type { ConsumerBatch, ConsumerRecord } from '../consumer/index.js';
import { kafkaBatch, kafkaMessage } from './consumer-messages.js';

function record(offset: bigint, headers: { key: string; value: Buffer | null }[] = []): ConsumerRecord<Buffer, Buffer> {
  return { topic: 't', partition: 1, offset, timestamp: 1_700_000_000_123, leaderEpoch: 0, key: Buffer.from(`k${offset}`), value: null, headers };
}

function batch(records: ConsumerRecord<Buffer, Buffer>[], highWatermark: bigint): ConsumerBatch<Buffer, Buffer> {
  return { topic: 't', partition: 1, records, highWatermark, lastStableOffset: highWatermark, logStartOffset: 0n };
}

describe('kafkajs messages and batches', () => {
  it('aMessageHasStringOffsetAndTimestampAndHeadersByKey, a repeated key as an array in order', () => {
    const message = kafkaMessage(
      record(41n, [
        { key: 'trace', value: Buffer.from('a') },
        { key: 'tag', value: Buffer.from('x') },
        { key: 'tag', value: Buffer.from('y') },
        { key: 'tag', value: Buffer.from('z') },
      ]),
    );
    expect(message).toEqual({
      key: Buffer.from('k41'),
      value: null,
      timestamp: '1700000000123',
      attributes: 0,
      offset: '41',
      headers: { trace: Buffer.from('a'), tag: [Buffer.from('x'), Buffer.from('y'), Buffer.from('z')] },
    });
  });

  it('batchLagsAreAgainstTheHighWatermark, as kafkajs computes them', () => {
    const b = kafkaBatch(batch([record(10n), record(11n), record(12n)], 20n));
    expect([b.highWatermark, b.firstOffset(), b.lastOffset(), b.offsetLag(), b.offsetLagLow(), b.isEmpty()]).toEqual(['20', '10', '12', '7', '9', false]);
    const empty = kafkaBatch(batch([], 20n));
    expect([empty.firstOffset(), empty.lastOffset(), empty.offsetLag(), empty.offsetLagLow(), empty.isEmpty()]).toEqual([null, '19', '0', '0', true]);
  });
});
