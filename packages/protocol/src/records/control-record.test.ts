import { describe, expect, it } from 'vitest';
import { controlRecordKey, ControlRecordType, encodeEndTxnMarkerBatch, endTxnMarkerValue, readControlRecordKey, readEndTxnMarker } from './control-record.js';
import { kafkajsDecodeBatch } from './kafkajs.test-support.js';
import { CorruptRecordBatchError } from './record-batch-error.js';
import { validateBatch } from './record-batch-header.js';
import { decodeRecordBatch } from './record-batch.js';

describe('control records', () => {
  it('commitMarkerBatchHasKafkasLayout', async () => {
    const buf = await encodeEndTxnMarkerBatch({
      commit: true,
      producerId: 4000n,
      producerEpoch: 5,
      coordinatorEpoch: 12,
      baseOffset: 300n,
      partitionLeaderEpoch: 3,
      timestamp: 1_700_000_000_000,
    });
    expect(validateBatch(buf).ok).toBe(true);
    const { header, attributes, records } = await decodeRecordBatch(buf);
    expect(header).toMatchObject({ baseOffset: 300n, partitionLeaderEpoch: 3, producerId: 4000n, producerEpoch: 5, baseSequence: -1, recordCount: 1 });
    expect(attributes).toMatchObject({ isControl: true, isTransactional: true, compression: 0 });
    // key: version 0, type 1 (COMMIT); value: version 0, coordinator epoch 12.
    expect(records[0]!.key!.toString('hex')).toBe('00000001');
    expect(records[0]!.value!.toString('hex')).toBe('00000000000c');
    expect(readControlRecordKey(records[0]!.key)).toEqual({ version: 0, type: ControlRecordType.Commit });
    expect(readEndTxnMarker(records[0]!.value)).toEqual({ version: 0, coordinatorEpoch: 12 });
  });

  it('abortMarkerIsReadByKafkajsAsAControlBatch', async () => {
    const buf = await encodeEndTxnMarkerBatch({ commit: false, producerId: 1n, producerEpoch: 0, coordinatorEpoch: 0, timestamp: 5 });
    const decoded = await kafkajsDecodeBatch(buf);
    expect(decoded).toMatchObject({ isControlBatch: true, inTransaction: true, producerId: '1' });
    expect(decoded.records[0]).toMatchObject({ isControlRecord: true, key: controlRecordKey(ControlRecordType.Abort) });
    expect(readControlRecordKey(decoded.records[0]!.key).type).toBe(ControlRecordType.Abort);
  });

  it('readsNewerKeyVersionsAndUnknownTypesByTheirFirstFields', () => {
    expect(readControlRecordKey(Buffer.from('0003002a99', 'hex'))).toEqual({ version: 3, type: 42 });
    expect(readEndTxnMarker(Buffer.from('0001000000070000', 'hex'))).toEqual({ version: 1, coordinatorEpoch: 7 });
  });

  it('refusesShortOrNegativeVersions', () => {
    for (const key of [null, Buffer.from('0000', 'hex'), Buffer.from('ffff0001', 'hex')]) {
      expect(() => readControlRecordKey(key)).toThrow(CorruptRecordBatchError);
    }
    for (const value of [null, Buffer.from('00000000', 'hex'), Buffer.from('ffff00000001', 'hex')]) {
      expect(() => readEndTxnMarker(value)).toThrow(/bad-control-record/);
    }
    expect(endTxnMarkerValue(-1).toString('hex')).toBe('0000ffffffff');
  });
});
