import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLog, recordingLogger } from './partition-log.test-support.js';
import { batchesIn, makeBatch } from './record-batch.test-support.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';

const hex = (...parts: string[]) => Buffer.from(parts.join(''), 'hex');

// Two RecordBatch v2, written field by field (the record bytes are opaque to the log).
const BATCH_0 = hex(
  '0000000000000000', // baseOffset 0
  '00000039', // batchLength 57
  '00000000', // partitionLeaderEpoch 0
  '02', // magic
  '2a52ab86', // crc32c of attributes..end
  '0000', // attributes
  '00000001', // lastOffsetDelta 1
  '0000018bcfe56800', // baseTimestamp 1700000000000
  '0000018bcfe56805', // maxTimestamp 1700000000005
  'ffffffffffffffff', // producerId -1
  'ffff', // producerEpoch -1
  'ffffffff', // baseSequence -1
  '00000002', // recordCount 2
  '4141414141414141', // records
);
const BATCH_2 = hex(
  '0000000000000002', // baseOffset 2
  '00000035', // batchLength 53
  '00000001', // partitionLeaderEpoch 1
  '02',
  '3bf8aa62',
  '0000',
  '00000000', // lastOffsetDelta 0
  '0000018bcfe56be8', // baseTimestamp 1700000001000
  '0000018bcfe56be8', // maxTimestamp 1700000001000
  'ffffffffffffffff',
  'ffff',
  'ffffffff',
  '00000001',
  '42424242',
);
// index.interval.bytes 0: the second batch gets an entry (relative offset 2, position 69).
const INDEX = hex('00000002', '00000045');
// Max timestamp so far (1700000001000) and the offset that carried it (relative 2).
const TIME_INDEX = hex('0000018bcfe56be8', '00000002');

function writePartition(files: Record<string, Buffer>): string {
  const logDir = tempLogDir();
  mkdirSync(partitionDir(logDir), { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(partitionDir(logDir), name), bytes);
  return logDir;
}

describe('On-disk formats', () => {
  it('readHandWrittenLog: a .log of two batches opens, serves them byte for byte and gets its indexes', async () => {
    const logDir = writePartition({ '00000000000000000000.log': Buffer.concat([BATCH_0, BATCH_2]) });
    const log = await openLog(logDir, { config: { indexIntervalBytes: 0 } });
    expect([log.logStartOffset, log.logEndOffset]).toEqual([0n, 3n]);
    const read = await log.read(0n, { maxBytes: 1000 });
    expect(read.records).toEqual(Buffer.concat([BATCH_0, BATCH_2]));
    expect(batchesIn(read.records).map((b) => [b.baseOffset, b.lastOffset])).toEqual([
      [0n, 1n],
      [2n, 2n],
    ]);
    expect(log.leaderEpochCache.entries()).toEqual([
      { epoch: 0, startOffset: 0n },
      { epoch: 1, startOffset: 2n },
    ]);
    await log.close();
    const dir = partitionDir(logDir);
    expect(readFileSync(join(dir, '00000000000000000000.index'))).toEqual(INDEX);
    expect(readFileSync(join(dir, '00000000000000000000.timeindex'))).toEqual(TIME_INDEX);
    expect(readFileSync(join(dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n2\n0 0\n1 2\n');
  });

  it('readHandWrittenIndexes: below the recovery point the .index and .timeindex written by hand are used as they are', async () => {
    const logDir = writePartition({
      '00000000000000000000.log': Buffer.concat([BATCH_0, BATCH_2]),
      '00000000000000000000.index': INDEX,
      '00000000000000000000.timeindex': TIME_INDEX,
    });
    const logger = recordingLogger();
    const log = await openLog(logDir, { recoveryPoint: 3n, logger });
    expect(logger.entries).toEqual([]);
    expect(log.logEndOffset).toBe(3n);
    expect((await log.read(2n)).records).toEqual(BATCH_2);
    expect(await log.fetchOffsetByTimestamp(1_700_000_000_003n)).toEqual({ timestamp: 1_700_000_000_005n, offset: 0n, leaderEpoch: 0 });
    expect(await log.fetchOffsetByTimestamp(1_700_000_000_006n)).toEqual({ timestamp: 1_700_000_001_000n, offset: 2n, leaderEpoch: 1 });
    await log.close();
  });

  it('segmentNames: a segment starting at a large offset is named by its 20-digit base offset', async () => {
    const logDir = writePartition({});
    const log = await openLog(logDir, { logStartOffset: 12345678901234n });
    // An empty log's first .log is made by its first append.
    expect((await log.appendAsLeader(makeBatch({ fill: 1 }), 0)).firstOffset).toBe(12345678901234n);
    await log.close();
    expect(readFileSync(join(partitionDir(logDir), '00000012345678901234.log')).length).toBeGreaterThan(0);
  });
});
