// The end of an EOS run: the whole output read, up to offsets where no
// transaction is open, by a fresh read_committed consumer, as a downstream
// application would see it (@kstream/client's, which orders the aborted
// transactions as the Java consumer does, and kafkajs's for comparison); and
// read again raw from the leaders, its markers applied by hand, to tell what
// the brokers stored from what their Fetch showed.
import { Consumer, stringSerde } from '@kstream/client';
import { decodeRecordBatches } from '@kstream/protocol';
import { errorName } from '../raw-connection.test-support.js';
import { EARLIEST_TIMESTAMP, fetchPartition, listOffset } from '../raw-requests.test-support.js';
import { consumeUpTo } from '../transactions.test-support.js';
import { parseOutputValue, type OutputRecord } from './eos-history.test-support.js';
import { within, type ConnectionPool, type LeaderDirectory } from './raw-cluster.test-support.js';

function outputRecord(partition: number, offset: bigint, value: string): OutputRecord {
  const parsed = parseOutputValue(value);
  return { partition, offset, inputId: parsed?.inputId ?? -1, tag: parsed?.tag ?? `unparsable ${JSON.stringify(value)}` };
}

/**
 * Every record of `topic` below `ends` as a fresh read_committed @kstream/client consumer (no group: every partition
 * assigned, from the earliest offset) delivers them: the checker's view. It filters aborted transactions as the Java
 * consumer does, the aborted transactions a Fetch lists ordered by first offset.
 */
export async function readCommitted(bootstrap: string, topic: string, ends: ReadonlyMap<number, bigint>, timeoutMs: number): Promise<OutputRecord[]> {
  const consumer = new Consumer<Buffer, string>({ bootstrap, clientId: 'eos-reader', valueDeserializer: stringSerde, isolationLevel: 'read_committed', fetchMaxWaitMs: 100 });
  const records: OutputRecord[] = [];
  const partitions = [...ends.keys()].map((partition) => ({ topic, partition }));
  await consumer.connect();
  try {
    consumer.assign(partitions);
    for (const partition of partitions) consumer.seek(partition, 'earliest');
    const deadline = Date.now() + timeoutMs;
    const behind = () => partitions.filter((tp) => ends.get(tp.partition)! > 0n && (consumer.position(tp) ?? 0n) < ends.get(tp.partition)!);
    while (behind().length > 0) {
      if (Date.now() > deadline) {
        throw new Error(
          `the read_committed consumer had not reached the output's ends ${timeoutMs} ms after it started: ${partitions.map((tp) => `p${tp.partition} ${consumer.position(tp) ?? '?'}/${ends.get(tp.partition)}`).join(', ')}`,
        );
      }
      for (const batch of await consumer.poll({ timeoutMs: 200 })) {
        for (const r of batch.records) if (r.offset < ends.get(batch.partition)!) records.push(outputRecord(batch.partition, r.offset, r.value ?? ''));
      }
    }
  } finally {
    await consumer.close();
  }
  return records.sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset));
}

/**
 * The same with a fresh read_committed kafkajs consumer. kafkajs takes a Fetch's aborted transactions in the order
 * given, as if ordered by first offset; Kafka (and kstream) list them in the order they were aborted, so where aborted
 * transactions of several producers interleave kafkajs hands out aborted records and hides committed ones. Its view is
 * reported beside the checker's, not checked.
 */
export async function readCommittedWithKafkajs(bootstrap: string, group: string, topic: string, ends: ReadonlyMap<number, bigint>, timeoutMs: number): Promise<OutputRecord[]> {
  return (await consumeUpTo(bootstrap, group, topic, ends, 'read_committed', timeoutMs)).map((r) => outputRecord(r.partition, r.offset, r.value));
}

/** One output partition as its log holds it, read whole from the leader (read_uncommitted, control batches included). */
export interface OutputLog {
  /** The records the log's markers commit (or written outside any transaction), in offset order: read_committed as the Java consumer computes it. */
  readonly committed: OutputRecord[];
  /** Every data record stored, aborted ones included. */
  readonly stored: number;
}

/**
 * `leaders.topic`-`partition` from its log start to its high watermark, and which records its transaction markers
 * commit: a transactional batch's records wait for their producer's next control batch — kept on a commit, dropped on
 * an abort. An independent view of what read_committed must show, to tell a broker's Fetch (last stable offset,
 * aborted transaction list) apart from what it stored.
 */
export async function readOutputLog(pool: ConnectionPool, leaders: LeaderDirectory, partition: number, timeoutMs: number): Promise<OutputLog> {
  await leaders.refresh();
  const leader = leaders.leader(partition);
  if (leader === undefined) throw new Error(`${leaders.topic}-${partition}: no leader`);
  const where = `${leaders.topic}-${partition} from broker ${leader}`;
  const conn = await pool.get(leader);
  const committed: OutputRecord[] = [];
  const pending = new Map<bigint, OutputRecord[]>();
  let stored = 0;
  const start = await within(listOffset(conn, leaders.topic, partition, EARLIEST_TIMESTAMP), timeoutMs, `ListOffsets ${where}`);
  for (let next = start.offset, highWatermark = -1n; highWatermark < 0n || next < highWatermark; ) {
    const fetched = await within(fetchPartition(conn, leaders.topic, partition, next), timeoutMs, `Fetch ${where}`);
    if (fetched.errorCode !== 0) throw new Error(`Fetch ${where} at ${next}: ${errorName(fetched.errorCode)}`);
    if (highWatermark < 0n) highWatermark = fetched.highWatermark;
    if (next >= highWatermark) break;
    const batches = await decodeRecordBatches(fetched.records ?? Buffer.alloc(0));
    if (batches.length === 0) throw new Error(`Fetch ${where} at ${next}: no batch below the high watermark ${highWatermark}`);
    for (const { header, attributes, records } of batches) {
      next = header.baseOffset + BigInt(header.lastOffsetDelta) + 1n;
      if (header.baseOffset >= highWatermark) break;
      if (attributes.isControl) {
        const commit = records[0]?.key?.readInt16BE(2) === 1;
        if (commit) committed.push(...(pending.get(header.producerId) ?? []));
        pending.delete(header.producerId);
        continue;
      }
      const outputs = records.map((r) => outputRecord(partition, header.baseOffset + BigInt(r.offsetDelta), r.value?.toString() ?? ''));
      stored += outputs.length;
      if (attributes.isTransactional) (pending.get(header.producerId) ?? pending.set(header.producerId, []).get(header.producerId)!).push(...outputs);
      else committed.push(...outputs);
    }
  }
  return { committed: committed.sort((a, b) => Number(a.offset - b.offset)), stored };
}
