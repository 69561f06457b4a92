// The Consumer's own rules: options checked at construction, reading modes
// that cannot mix, and positions when the application stops part-way
// through a batch handed record by record.
import { Fetch } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { KafkaClosedError, KafkaConfigError } from '../errors/index.js';
import { Consumer } from './consumer.js';
import { broker, consumer, fetchResponse, pollValues, records, type FetchRequest } from './fake-fetch.test-support.js';

const bootstrap = '127.0.0.1:1';

/** A broker whose partition t-0 holds `values` from offset 0. */
async function partitionOf(values: readonly string[]) {
  const data = await records(0n, values);
  return broker({
    nodeId: 1,
    topics: { t: 1 },
    handlers: {
      [Fetch.apiKey]: (request: FetchRequest) => fetchResponse(request, (_t, _p, fetchOffset) => (fetchOffset < BigInt(values.length) ? { records: data } : {}), {}),
    },
  });
}

describe('Consumer', () => {
  it('badOptionsRefusedAtConstruction: KafkaConfigError names the key', () => {
    const bad: Array<[string, object]> = [
      ['autoOffsetReset', { autoOffsetReset: 'smallest' }],
      ['isolationLevel', { isolationLevel: 'committed' }],
      ['fetchMaxWaitMs', { fetchMaxWaitMs: -1 }],
      ['maxPartitionFetchBytes', { maxPartitionFetchBytes: 0 }],
      ['valueDeserializer', { valueDeserializer: 'utf8' }],
      ['enableAutoCommit', { enableAutoCommit: true }],
      ['groupInstanceId', { groupInstanceId: 'a' }],
      ['heartbeatIntervalMs', { groupId: 'g', sessionTimeoutMs: 1_000, heartbeatIntervalMs: 2_000 }],
    ];
    for (const [key, options] of bad) {
      expect(() => new Consumer({ bootstrap, ...options }), key).toThrow(expect.objectContaining({ name: 'KafkaConfigError', key }));
    }
  });

  it('subscribeAndCommitNeedAGroupAndAssignDoesNotMixWithSubscribe', async () => {
    const plain = new Consumer({ bootstrap });
    expect(() => plain.subscribe(['t'])).toThrow(KafkaConfigError);
    await expect(plain.commit()).rejects.toThrow(KafkaConfigError);
    const grouped = new Consumer({ bootstrap, groupId: 'g' });
    grouped.assign([{ topic: 't', partition: 0 }]);
    expect(() => grouped.subscribe(['t'])).toThrow(/either is assigned partitions or subscribes/);
    expect(() => grouped.seek({ topic: 't', partition: 9 }, 0n)).toThrow(/t-9 is not assigned/);
    await plain.close();
    await grouped.close();
    await expect(plain.poll()).rejects.toThrow(KafkaClosedError);
  });

  it('breakingOutOfRecordsMidBatchResumesAfterTheLastRecordHanded', async () => {
    const c = consumer(await partitionOf(['r0', 'r1', 'r2', 'r3']));
    const tp = { topic: 't', partition: 0 };
    c.assign([tp]);
    c.seek(tp, 0n);
    for await (const record of c.records()) {
      expect(record.value).toBe('r0');
      expect(c.position(tp)).toBe(1n);
      break;
    }
    expect(c.position(tp)).toBe(1n);
    expect(await pollValues(c, 3)).toEqual(['r1', 'r2', 'r3']);
  });

  it('throwingEachRecordRejectsRunAndTheRestIsReadAgain', async () => {
    const c = consumer(await partitionOf(['r0', 'r1', 'r2']));
    const tp = { topic: 't', partition: 0 };
    c.assign([tp]);
    c.seek(tp, 0n);
    const failure = new Error('handler failed on r1');
    await expect(
      c.run({
        eachRecord: (record) => {
          if (record.value === 'r1') throw failure;
        },
      }),
    ).rejects.toBe(failure);
    // r1 was handed (Kafka's position is past what the application was given); r2 was not.
    expect(c.position(tp)).toBe(2n);
    expect(await pollValues(c, 1)).toEqual(['r2']);
  });
});
