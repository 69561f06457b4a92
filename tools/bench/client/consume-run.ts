// The consumer figure's loop, the same for every client: a new consumer each
// round reads the whole topic from the beginning, touching every value
// (its length is summed, so a lazily decoding client decodes it); the round
// is timed from the first record to the last, which leaves group joins and
// connection set-up out. The topic's values are numbered (numberedValue):
// every round must read each number once, and nothing else.
import type { ClientDriver } from './driver.js';
import type { ConsumeJob, ConsumeResult, RoundResult } from './messages.js';
import { valueNumber } from './values.js';

/** A client slower than this fails the round rather than hold the run for ever. */
const SLOWEST_RECORDS_PER_SECOND = 20_000;
const START_ALLOWANCE_MS = 30_000;

export async function runConsume(driver: ClientDriver, job: ConsumeJob): Promise<ConsumeResult> {
  const rounds: RoundResult[] = [];
  for (let round = 0; round < job.rounds; round++) rounds.push(await consumeOnce(driver, job, `${job.groupPrefix}-${round}`));
  return { kind: 'consume', rounds, description: driver.description, notes: driver.notes };
}

async function consumeOnce(driver: ClientDriver, job: ConsumeJob, groupId: string): Promise<RoundResult> {
  let records = 0;
  let bytes = 0;
  let distinct = 0;
  const seen = new Uint8Array(Math.ceil(job.records / 8));
  let first = 0n;
  let last = 0n;
  let settle!: (error?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => (settle = (error) => (error === undefined ? resolve() : reject(error))));
  const consumer = await driver.consumer({
    bootstrap: job.bootstrap,
    topic: job.topic,
    from: 'earliest',
    groupId,
    onRecord(value) {
      if (records === 0) first = process.hrtime.bigint();
      records++;
      bytes += value.length;
      const n = valueNumber(value);
      const bit = 1 << (n & 7);
      if (n < job.records && (seen[n >> 3]! & bit) === 0) {
        seen[n >> 3]! |= bit;
        distinct++;
      }
      if (distinct === job.records) {
        last = process.hrtime.bigint();
        settle();
      }
    },
    onError: (error) => settle(error ?? new Error(`${job.client}: the consumer stopped`)),
  });
  const limitMs = START_ALLOWANCE_MS + (job.records / SLOWEST_RECORDS_PER_SECOND) * 1000;
  const timer = setTimeout(() => settle(new Error(`${job.client}: read ${records} of ${job.records} records of ${job.topic} in ${limitMs} ms`)), limitMs);
  try {
    await done;
  } finally {
    clearTimeout(timer);
    await consumer.close();
  }
  // Records read past the last new number (duplicates, strays) arrived before close(): they count too.
  if (records !== job.records || bytes !== job.records * job.valueBytes) {
    throw new Error(
      `${job.client}: read ${records} records (${distinct} distinct numbers) / ${bytes} value bytes of ${job.topic}, which holds ${job.records} / ${job.records * job.valueBytes}`,
    );
  }
  return { records, seconds: Number(last - first) / 1e9 };
}
