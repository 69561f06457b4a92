import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { childPath, deleteDirName, partitionOfDeleteDir } from './log-file-names.js';
import { LogDirectory } from './log-directory.js';
import { tempLogDir } from './log-test-dir.test-support.js';
import { makeBatch } from './record-batch.test-support.js';

/** Kafka's longest legal topic name. */
const LONGEST_TOPIC = 't'.repeat(249);

describe('log file names', () => {
  it('childPathIsJoinsPath: the same path as path.join for the directories logs are opened in, a trailing separator or an empty one included', () => {
    for (const dir of ['/var/kstream/broker-1', '/var/kstream/broker-1/', 'data/broker-1', '', '/']) {
      expect(childPath(dir, 'orders-0')).toBe(join(dir, 'orders-0'));
    }
  });

  it('deleteDirNameOfLongestTopic: the -delete name of a 249-character topic fits in 255 bytes and is still recognised', () => {
    const name = deleteDirName(LONGEST_TOPIC, 2_147_483_647);
    expect(name.length).toBeLessThanOrEqual(255);
    expect(name).toMatch(/^t+-2147483647\.[0-9a-f]{32}-delete$/);
    expect(partitionOfDeleteDir(name)?.partition).toBe(2_147_483_647);
  });

  it('deleteDirNameOfShortTopic: a short topic keeps its whole name', () => {
    expect(deleteDirName('orders', 3)).toMatch(/^orders-3\.[0-9a-f]{32}-delete$/);
  });

  it('deleteLogOfLongestTopic: a log of a 249-character topic is deleted, and a new one of that name opens empty', async () => {
    const dir = tempLogDir();
    const logs = await LogDirectory.open(dir);
    const log = await logs.openLog(LONGEST_TOPIC, 0);
    await log.appendAsLeader(makeBatch(), 0);
    await logs.deleteLog(LONGEST_TOPIC, 0);
    expect(existsSync(join(dir, `${LONGEST_TOPIC}-0`))).toBe(false);
    const again = await logs.openLog(LONGEST_TOPIC, 0);
    expect(again.logEndOffset).toBe(0n);
    await logs.close();
    expect(readdirSync(dir).filter((name) => name.endsWith('-delete'))).toEqual([]);
  });
});
