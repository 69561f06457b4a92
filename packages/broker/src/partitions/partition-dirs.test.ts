import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogDirIo } from '@kstream/log-storage';
import { describe, expect, it } from 'vitest';
import { partitionsOnDisk } from './partition-dirs.js';
import { tempDir } from './partitions.test-support.js';

describe('partitionsOnDisk', () => {
  it('directoriesOnly: partition directories and links to them count; files, links to files and directories being deleted do not', async () => {
    const logDir = tempDir();
    const elsewhere = tempDir();
    mkdirSync(join(logDir, 'orders-0'));
    mkdirSync(join(logDir, 'my-topic-12'));
    mkdirSync(join(elsewhere, 'linked'));
    symlinkSync(join(elsewhere, 'linked'), join(logDir, 'linked-3'));
    writeFileSync(join(logDir, 'file-1'), '');
    writeFileSync(join(elsewhere, 'target'), '');
    symlinkSync(join(elsewhere, 'target'), join(logDir, 'filelink-2'));
    mkdirSync(join(logDir, 'orders-1.0123456789abcdef0123456789abcdef-delete'));
    writeFileSync(join(logDir, 'recovery-point-offset-checkpoint'), '0\n0\n');
    const found = await partitionsOnDisk(new LogDirIo(logDir));
    expect(found.sort((a, b) => a.topic.localeCompare(b.topic))).toEqual([
      { topic: 'linked', partition: 3 },
      { topic: 'my-topic', partition: 12 },
      { topic: 'orders', partition: 0 },
    ]);
  });
});
