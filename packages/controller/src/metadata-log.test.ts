import { appendFile, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '@kstream/actor';
import { MetadataLog } from './metadata-log.js';
import type { MetadataRecord } from '@kstream/metadata';

interface LogEntry {
  level: string;
  msg: string;
  fields?: object;
}

function recordingLogger(entries: LogEntry[]): Logger {
  return {
    info: (msg, fields) => entries.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => entries.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => entries.push({ level: 'error', msg, fields }),
  };
}

const records: MetadataRecord[] = [
  { type: 'ClusterId', clusterId: 'q1Sh-9_ISia_zwGINzRvyQ' },
  { type: 'RegisterBroker', brokerId: 1, brokerEpoch: 1, host: '127.0.0.1', port: 9092 },
  { type: 'RegisterBroker', brokerId: 2, brokerEpoch: 2, host: '127.0.0.1', port: 9093 },
  { type: 'FenceBroker', brokerId: 1, brokerEpoch: 1, reason: 'heartbeats stopped' },
];

let dir: string;
let path: string;
let logEntries: LogEntry[];
let logger: Logger;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kstream-metadata-log-'));
  path = join(dir, 'controller', 'metadata.log');
  logEntries = [];
  logger = recordingLogger(logEntries);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function replayAll(): Promise<{ log: MetadataLog; replayed: Array<[MetadataRecord, number]> }> {
  const replayed: Array<[MetadataRecord, number]> = [];
  const log = await MetadataLog.open(path, (record, offset) => replayed.push([record, offset]), logger);
  return { log, replayed };
}

async function writeAll(toWrite: readonly MetadataRecord[]): Promise<number[]> {
  const { log } = await replayAll();
  const offsets: number[] = [];
  for (const record of toWrite) offsets.push(await log.append(record));
  await log.close();
  return offsets;
}

describe('MetadataLog', () => {
  it('reopen replays every record in order with its offset', async () => {
    expect(await writeAll(records)).toEqual([0, 1, 2, 3]);
    const { log, replayed } = await replayAll();
    expect(replayed).toEqual(records.map((r, i) => [r, i]));
    expect(log.nextOffset).toBe(4);
    await log.close();
    expect(logEntries.filter((e) => e.level === 'warn')).toEqual([]);
  });

  it('appendAfterReopen continues the offsets', async () => {
    await writeAll(records.slice(0, 2));
    expect(await writeAll(records.slice(2))).toEqual([2, 3]);
    const { log, replayed } = await replayAll();
    expect(replayed.map(([r]) => r)).toEqual(records);
    await log.close();
  });

  it('tornTail: a half-written last frame is truncated at the last good record and logged', async () => {
    await writeAll(records);
    const fullSize = (await stat(path)).size;
    await truncate(path, fullSize - 3);
    const { log, replayed } = await replayAll();
    expect(replayed.map(([r]) => r)).toEqual(records.slice(0, 3));
    const warning = logEntries.find((e) => e.level === 'warn');
    expect(warning?.fields).toMatchObject({ path, keptRecords: 3 });
    // The damaged bytes are gone from disk, so the next append follows record 2.
    expect(await log.append(records[3]!)).toBe(3);
    await log.close();
    const again = await replayAll();
    expect(again.replayed.map(([r]) => r)).toEqual(records);
    await again.log.close();
  });

  it('corruptTail: a CRC mismatch in the last frame is truncated', async () => {
    await writeAll(records);
    const bytes = await readFile(path);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(path, bytes);
    const { log, replayed } = await replayAll();
    expect(replayed.map(([r]) => r)).toEqual(records.slice(0, 3));
    expect(logEntries.find((e) => e.level === 'warn')?.fields).toMatchObject({ reason: expect.stringContaining('CRC') });
    await log.close();
  });

  it('shortHeader: a few stray bytes after the last record are truncated', async () => {
    await writeAll(records);
    const goodSize = (await stat(path)).size;
    await appendFile(path, Buffer.from([0, 0, 1]));
    const { log, replayed } = await replayAll();
    expect(replayed).toHaveLength(records.length);
    await log.close();
    expect((await stat(path)).size).toBe(goodSize);
  });

  it('lengthPastEnd: a frame claiming more bytes than the file holds ends the log', async () => {
    await writeAll(records.slice(0, 1));
    const header = Buffer.alloc(8);
    header.writeUInt32BE(1_000_000, 0);
    await appendFile(path, Buffer.concat([header, Buffer.alloc(16)]));
    const { log, replayed } = await replayAll();
    expect(replayed).toHaveLength(1);
    await log.close();
  });

  it('notARecord: a frame with a good CRC but an unknown record type refuses to open, naming the offset', async () => {
    await writeAll(records.slice(0, 1));
    const { log } = await replayAll();
    await log.append({ type: 'Bogus' } as unknown as MetadataRecord);
    await log.close();
    await expect(replayAll()).rejects.toThrow(/record at offset 1 is not a metadata record: unknown type "Bogus"/);
  });

  it('cutAnywhere: replay keeps exactly the frames wholly before the cut', async () => {
    const ends: number[] = [];
    const { log } = await replayAll();
    for (const record of records) {
      await log.append(record);
      ends.push((await stat(path)).size);
    }
    await log.close();
    const original = await readFile(path);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: original.length }), async (cut) => {
        await writeFile(path, original.subarray(0, cut));
        const { log: reopened, replayed } = await replayAll();
        await reopened.close();
        const whole = ends.filter((end) => end <= cut).length;
        expect(replayed.map(([r]) => r)).toEqual(records.slice(0, whole));
        expect((await stat(path)).size).toBe(whole === 0 ? 0 : ends[whole - 1]);
      }),
      { numRuns: 40 },
    );
  });

  it('batchIsAtomic: records appended together get consecutive offsets and a crash keeps all or none of them', async () => {
    const topicId = 'a1b2c3d4-0000-4000-8000-000000000001';
    const batch: MetadataRecord[] = [
      { type: 'Topic', name: 't', topicId },
      { type: 'Partition', topicId, partition: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 },
      { type: 'Config', resourceType: 'topic', resourceName: 't', name: 'retention.ms', value: null },
    ];
    const { log } = await replayAll();
    await log.append(records[0]!);
    const sizeBeforeBatch = (await stat(path)).size;
    expect(await log.appendBatch(batch)).toBe(3);
    expect(log.nextOffset).toBe(4);
    await log.close();

    const whole = await replayAll();
    expect(whole.replayed).toEqual([[records[0], 0], ...batch.map((r, i) => [r, i + 1])]);
    await whole.log.close();

    await truncate(path, (await stat(path)).size - 1);
    const torn = await replayAll();
    expect(torn.replayed.map(([r]) => r)).toEqual([records[0]]);
    expect((await stat(path)).size).toBe(sizeBeforeBatch);
    await torn.log.close();
  });

  it('emptyBatch is refused', async () => {
    const { log } = await replayAll();
    await expect(log.appendBatch([])).rejects.toThrow('needs at least one record');
    await log.close();
  });
});
