import { describe, expect, it } from 'vitest';
import { DescribeLogDirs, type ResponseOf } from '@kstream/protocol';
import { clusterRecords, overTheWire, testBroker } from '../partitions/broker-services.test-support.js';
import { batch } from '../partitions/partitions.test-support.js';
import { describeLogDirsHandler } from './describe-log-dirs-handler.js';

const ORDERS = { name: 'orders', topicId: '0e0e0e0e-0000-4000-8000-000000000001', partitions: 2 };
const OTHER = { name: 'other', topicId: '0e0e0e0e-0000-4000-8000-000000000002' };

describe('DescribeLogDirs handler', () => {
  it("sizesAndSpace: the broker's log dir with each partition's bytes; v4 with the file system's total and usable bytes", async () => {
    const broker = await testBroker(clusterRecords(ORDERS, OTHER));
    const records = await batch(['payload']);
    await broker.services.partitions.appendRecords('orders', 1, records, 1, 1000);
    for (const version of [0, 1, 2, 3, 4]) {
      const answer = await describeLogDirsHandler.handle({ topics: [{ topic: 'orders', partitions: [0, 1] }] }, broker.context(DescribeLogDirs, version));
      if (typeof answer === 'symbol') throw new Error('DescribeLogDirs is always answered');
      const response: ResponseOf<typeof DescribeLogDirs> = overTheWire(DescribeLogDirs, version, answer);
      const [dir] = response.results;
      expect(dir).toMatchObject({ errorCode: 0, logDir: broker.services.partitions.logDir });
      expect(dir!.topics).toEqual([
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 0, partitionSize: 0n, offsetLag: 0n, isFutureKey: false },
            { partitionIndex: 1, partitionSize: BigInt(records.length), offsetLag: 0n, isFutureKey: false },
          ],
        },
      ]);
      if (version >= 4) {
        expect(dir!.totalBytes).toBeGreaterThan(0n);
        expect(dir!.usableBytes).toBeGreaterThan(0n);
        expect(dir!.usableBytes).toBeLessThanOrEqual(dir!.totalBytes);
      } else {
        expect(dir!.totalBytes).toBe(-1n);
      }
    }
  });

  it('allTopics: topics null lists every hosted partition', async () => {
    const broker = await testBroker(clusterRecords(ORDERS, OTHER));
    const answer = await describeLogDirsHandler.handle({ topics: null }, broker.context(DescribeLogDirs, 1));
    if (typeof answer === 'symbol') throw new Error('DescribeLogDirs is always answered');
    expect(answer.results[0]!.topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([
      ['orders', 2],
      ['other', 1],
    ]);
  });
});
