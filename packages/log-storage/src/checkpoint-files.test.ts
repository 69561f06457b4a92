import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { LeaderEpochFileCache } from './leader-epoch-file-cache.js';
import { LogDirIo } from './log-dir-io.js';
import { OffsetCheckpointFile } from './offset-checkpoint-file.js';
import { KafkaStorageError } from './storage-errors.js';
import { tempLogDir } from './log-test-dir.test-support.js';

describe('OffsetCheckpointFile', () => {
  it("readHandWritten: Kafka's format — version, count, `topic partition offset` lines", async () => {
    const dir = tempLogDir();
    const path = join(dir, 'recovery-point-offset-checkpoint');
    writeFileSync(path, '0\n3\norders 0 1500\norders 1 0\n__consumer_offsets 49 9223372036854775807\n');
    const offsets = await new OffsetCheckpointFile(new LogDirIo(dir), path).read();
    expect(offsets).toEqual(
      new Map([
        ['orders-0', 1500n],
        ['orders-1', 0n],
        ['__consumer_offsets-49', 9223372036854775807n],
      ]),
    );
  });

  it('write: exact bytes, atomically (no .tmp left behind)', async () => {
    const dir = tempLogDir();
    const path = join(dir, 'log-start-offset-checkpoint');
    const file = new OffsetCheckpointFile(new LogDirIo(dir), path);
    await file.write([
      { topic: 'a.b-c', partition: 2, offset: 7n },
      { topic: 'a.b-c', partition: 10, offset: 0n },
    ]);
    expect(readFileSync(path, 'utf8')).toBe('0\n2\na.b-c 2 7\na.b-c 10 0\n');
    expect(existsSync(`${path}.tmp`)).toBe(false);
    expect(await file.read()).toEqual(
      new Map([
        ['a.b-c-2', 7n],
        ['a.b-c-10', 0n],
      ]),
    );
  });

  it("overlappingWrites: writes made while one is in progress follow it as one write, with the last call's offsets as of that call", async () => {
    const dir = tempLogDir();
    const path = join(dir, 'replication-offset-checkpoint');
    const fs = new FaultyFileSystem();
    const file = new OffsetCheckpointFile(new LogDirIo(dir, fs), path);
    const release = fs.holdRenames();
    const first = file.write([{ topic: 'orders', partition: 0, offset: 1n }]);
    await expect.poll(() => fs.renamesHeld).toBe(1);
    const between = [2n, 3n, 4n].map((offset) => file.write([{ topic: 'orders', partition: 0, offset }]));
    const latest = [{ topic: 'orders', partition: 0, offset: 5n }];
    const last = file.write(latest);
    latest[0]!.offset = 6n;
    release();
    await Promise.all([first, ...between, last]);
    expect(readFileSync(path, 'utf8')).toBe('0\n1\norders 0 5\n');
    expect(fs.renames.filter(([, to]) => to === path)).toHaveLength(2);
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });

  it('identicalNotRewritten: a write of the content the last write left is skipped; a failed write does not count, nor does a read', async () => {
    const dir = tempLogDir();
    const path = join(dir, 'replication-offset-checkpoint');
    const fs = new FaultyFileSystem();
    const io = new LogDirIo(dir, fs);
    const renames = (): number => fs.renames.filter(([, to]) => to === path).length;
    const file = new OffsetCheckpointFile(io, path);
    const offsets = (offset: bigint) => [{ topic: 'orders', partition: 0, offset }];
    await file.write(offsets(1n));
    await file.write(offsets(1n));
    expect(renames()).toBe(1);
    await file.write(offsets(2n));
    expect(renames()).toBe(2);

    fs.failSyncs('EIO');
    await expect(file.write(offsets(3n))).rejects.toThrow(KafkaStorageError);
    fs.heal();
    await file.write(offsets(3n));
    expect(renames()).toBe(3);
    expect(readFileSync(path, 'utf8')).toBe('0\n1\norders 0 3\n');

    // A crash between the rename and the directory's fsync leaves a name an OS crash may undo: the first write after an open is made.
    const reopened = new OffsetCheckpointFile(io, path);
    await reopened.read();
    await reopened.write(offsets(3n));
    expect(renames()).toBe(4);
  });

  it('missing: an absent file is an empty checkpoint', async () => {
    const dir = tempLogDir();
    expect((await new OffsetCheckpointFile(new LogDirIo(dir), join(dir, 'nope')).read()).size).toBe(0);
  });

  it('malformed: version, count and lines are checked; the error names the file and line', async () => {
    const dir = tempLogDir();
    const path = join(dir, 'recovery-point-offset-checkpoint');
    const file = new OffsetCheckpointFile(new LogDirIo(dir), path);
    const cases: [string, RegExp][] = [
      ['1\n0\n', /line 1: version "1", expected 0/],
      ['0\nx\n', /line 2: count "x"/],
      ['0\n2\norders 0 5\n', /count says 2 entries, the file has 1/],
      ['0\n1\norders zero 5\n', /line 3: "orders zero 5"/],
      ['0\n1\norders 0 -5\n', /line 3/],
      ['0\n1\norders 0 5 6\n', /line 3/],
    ];
    for (const [content, message] of cases) {
      writeFileSync(path, content);
      await expect(file.read()).rejects.toThrow(message);
      await expect(file.read()).rejects.toBeInstanceOf(KafkaStorageError);
    }
  });
});

describe('leader-epoch-checkpoint', () => {
  it("readHandWritten: Kafka's format — version, count, `epoch startOffset` lines", async () => {
    const dir = tempLogDir();
    const path = join(dir, 'leader-epoch-checkpoint');
    writeFileSync(path, '0\n3\n0 0\n2 150\n5 900\n');
    const cache = await LeaderEpochFileCache.load(new LogDirIo(dir), path);
    expect(cache.entries()).toEqual([
      { epoch: 0, startOffset: 0n },
      { epoch: 2, startOffset: 150n },
      { epoch: 5, startOffset: 900n },
    ]);
    cache.assign(6, 1000n);
    await cache.flush();
    expect(readFileSync(path, 'utf8')).toBe('0\n4\n0 0\n2 150\n5 900\n6 1000\n');
  });

  it('malformed: a bad line is a storage error naming the file', async () => {
    const dir = tempLogDir();
    const path = join(dir, 'leader-epoch-checkpoint');
    writeFileSync(path, '0\n1\n-1 5\n');
    await expect(LeaderEpochFileCache.load(new LogDirIo(dir), path)).rejects.toThrow(/leader-epoch-checkpoint, line 3/);
  });
});
