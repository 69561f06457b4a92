import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from './cluster.test-support.js';
import { ephemeralPortRange, portsInRange } from './ephemeral-ports.js';

describe('ephemeralPortRange', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('ephemeral-ports');
  });
  afterAll(() => removeDir(dir));

  it('linuxFile: two numbers separated by a tab, as /proc has them', async () => {
    const file = join(dir, 'ip_local_port_range');
    await writeFile(file, '32768\t60999\n');
    expect(ephemeralPortRange(file)).toEqual({ first: 32768, last: 60999, source: file });
  });

  it('noOrUnreadableFile: IANA dynamic ports, as macOS and Windows use', async () => {
    const garbled = join(dir, 'garbled');
    await writeFile(garbled, 'sixty\n');
    const reversed = join(dir, 'reversed');
    await writeFile(reversed, '60999 32768\n');
    for (const file of [join(dir, 'missing'), garbled, reversed]) {
      expect(ephemeralPortRange(file)).toMatchObject({ first: 49152, last: 65535 });
    }
  });
});

describe('portsInRange', () => {
  it('theOverlapOfThePortsAndTheRange', () => {
    const range = { first: 100, last: 103, source: 'test' };
    expect(portsInRange(98, 101, range)).toEqual([100, 101]);
    expect(portsInRange(102, 110, range)).toEqual([102, 103]);
    expect(portsInRange(90, 99, range)).toEqual([]);
  });
});
