// The fault run's consumers: per partition, a Fetch loop (v12, long-polling
// up to 200 ms) against the partition's leader, recording every record it
// reads with the time it read it; after an error, a timeout or a lost
// connection it asks Metadata again and goes on from the next offset it has
// not read.
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeRecordBatches, Fetch, ZERO_UUID } from '@kstream/protocol';
import { FETCH_VERSION } from '../raw-requests.test-support.js';
import type { HistoryRecorder } from './history.test-support.js';
import type { ConnectionPool, LeaderDirectory } from './raw-cluster.test-support.js';
import { within } from './raw-cluster.test-support.js';
import type { Workload } from './workload.test-support.js';

const MAX_WAIT_MS = 200;

export function startFetchConsumers(partitions: number, pool: ConnectionPool, leaders: LeaderDirectory, history: HistoryRecorder, requestTimeoutMs: number): Workload {
  let stopped = false;

  async function consume(partition: number): Promise<void> {
    const consumer = `fetch-${partition}`;
    let next = 0n;
    while (!stopped) {
      const leader = leaders.leader(partition);
      const conn = leader === undefined ? undefined : await pool.get(leader).catch(() => undefined);
      if (leader === undefined || conn === undefined) {
        await leaders.refresh();
        await sleep(50);
        continue;
      }
      try {
        const response = await within(
          conn.request(Fetch, FETCH_VERSION, {
            replicaId: -1,
            maxWaitMs: MAX_WAIT_MS,
            minBytes: 1,
            maxBytes: 1024 * 1024,
            isolationLevel: 0,
            sessionId: 0,
            sessionEpoch: -1,
            topics: [
              {
                topic: leaders.topic,
                topicId: ZERO_UUID,
                partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: next, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1024 * 1024 }],
              },
            ],
            forgottenTopicsData: [],
            rackId: '',
          }),
          requestTimeoutMs,
          `Fetch from broker ${leader}`,
        );
        const answer = response.responses[0]?.partitions[0];
        if (answer === undefined || answer.errorCode !== 0) throw new Error(`Fetch ${leaders.topic}-${partition} from broker ${leader}: error ${answer?.errorCode}`);
        for (const batch of await decodeRecordBatches(answer.records ?? Buffer.alloc(0))) {
          for (const r of batch.records) {
            const offset = batch.header.baseOffset + BigInt(r.offsetDelta);
            if (offset < next) continue;
            history.reads.push({ consumer, partition, offset, value: r.value?.toString() ?? '', at: history.now() });
            next = offset + 1n;
          }
        }
      } catch (error) {
        if ((error as Error).message.includes('no answer within')) pool.drop(leader);
        await leaders.refresh();
        await sleep(50);
      }
    }
  }

  const loops = Array.from({ length: partitions }, (_, p) => consume(p));
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}
