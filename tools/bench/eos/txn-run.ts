// The transactions figure's loop, the same for every client: one
// transactional producer; each transaction begins, sends its records `chunk`
// a call with up to `inFlight` calls outstanding, and commits; the next one
// begins after the commit's answer. Warm-up transactions first, then the
// timed ones, timed from the first begin to the last commit.
import type { TxnJob, TxnResult } from './messages.js';
import type { TxnDriver } from './txn-driver.js';

export async function runTransactions(driver: TxnDriver, job: TxnJob): Promise<TxnResult> {
  const producer = await driver.producer({ bootstrap: job.bootstrap, transactionalId: job.transactionalId, partitions: job.partitions });
  const value = Buffer.alloc(job.valueBytes, 'v');
  let acknowledged = 0;
  let partitionsWritten = 0;
  const transaction = async () => {
    const open = await producer.begin();
    const partitions = new Set<number>();
    let next = 0;
    const lane = async () => {
      while (next < job.recordsPerTransaction) {
        const count = Math.min(job.chunk, job.recordsPerTransaction - next);
        next += count;
        const sent = await open.send(job.topic, new Array<Buffer>(count).fill(value));
        if (sent.records !== count) throw new Error(`${job.client}: a send of ${count} records to ${job.topic} in a transaction acknowledged ${sent.records}`);
        acknowledged += count;
        for (const p of sent.partitions) partitions.add(p);
      }
    };
    await Promise.all(Array.from({ length: Math.min(job.inFlight, Math.ceil(job.recordsPerTransaction / job.chunk)) }, lane));
    await open.commit();
    partitionsWritten += partitions.size;
  };
  try {
    for (let i = 0; i < job.warmupTransactions; i++) await transaction();
    const start = process.hrtime.bigint();
    for (let i = 0; i < job.transactions; i++) await transaction();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { kind: 'transactions', description: driver.description, committed: job.transactions, seconds, acknowledged, partitionsWritten };
  } finally {
    await producer.close();
  }
}
