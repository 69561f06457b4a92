// The producer figure's loop, the same for every client: `chunk` 100-byte
// values per send() call, up to `inFlight` calls outstanding, a warm-up
// first, then each round timed from its first call to its last
// acknowledgement.
import type { ClientDriver } from './driver.js';
import type { ProduceJob, ProduceResult, RoundResult } from './messages.js';
import { numberedValue } from './values.js';

export async function runProduce(driver: ClientDriver, job: ProduceJob): Promise<ProduceResult> {
  const producer = await driver.producer({ bootstrap: job.bootstrap, acks: job.acks, idempotent: job.idempotent, lowLatency: false });
  const value = Buffer.alloc(job.valueBytes, 'v');
  let acknowledged = 0;
  const values = (from: number, count: number): Buffer[] =>
    job.numbered ? Array.from({ length: count }, (_, i) => numberedValue(from + i, job.valueBytes)) : new Array<Buffer>(count).fill(value);
  const produce = async (records: number) => {
    let next = 0;
    const lane = async () => {
      while (next < records) {
        const from = next;
        const count = Math.min(job.chunk, records - from);
        next += count;
        const acked = await producer.send(job.topic, values(from, count));
        if (acked !== count) throw new Error(`${job.client}: a send() of ${count} records to ${job.topic} acknowledged ${acked}`);
        acknowledged += acked;
      }
    };
    await Promise.all(Array.from({ length: job.inFlight }, lane));
  };
  try {
    if (job.warmupRecords > 0) await produce(job.warmupRecords);
    const rounds: RoundResult[] = [];
    for (let round = 0; round < job.rounds; round++) {
      const start = process.hrtime.bigint();
      await produce(job.records);
      rounds.push({ records: job.records, seconds: Number(process.hrtime.bigint() - start) / 1e9 });
    }
    return { kind: 'produce', rounds, acknowledged, idempotent: producer.idempotent, description: driver.description, notes: driver.notes };
  } finally {
    await producer.close();
  }
}
