// The end of an EOS run: the whole output read, up to offsets where no
// transaction is open, by a fresh read_committed kafkajs consumer, as a
// downstream application would see it; and read again raw from the
// leaders, its markers applied as the Java consumer applies them, to tell
// what the brokers stored from what their Fetch showed.
import { decodeRecordBatches } from '@kstream/protocol';
import { errorName } from '../raw-connection.test-support.js';
import { EARLIEST_TIMESTAMP, fetchPartition, listOffset } from '../raw-requests.test-support.js';
import { consumeUpTo } from '../transactions.test-support.js';
import { parseOutputValue, type OutputRecord } from './eos-history.test-support.js';
import { within, type ConnectionPool, type LeaderDirectory } from './raw-cluster.test-support.js';

/** Every record of `topic` below `ends` as a fresh read_committed kafkajs consumer (group `group`, nothing committed) delivers them. */
export async function readCommitted(bootstrap: string, group: string, topic: string, ends: ReadonlyMap<number, bigint>, timeoutMs: number): Promise<OutputRecord[]> {
  return (await consumeUpTo(bootstrap, group, topic, ends, 'read_committed', timeoutMs)).map((r) => {
    const parsed = parseOutputValue(r.value);
    return { partition: r.partition, offset: r.offset, inputId: parsed?.inputId ?? -1, tag: parsed?.tag ?? `unparsable ${JSON.stringify(r.value)}` };
  });
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
      const outputs = records.map((r) => {
        const value = r.value?.toString() ?? '';
        const parsed = parseOutputValue(value);
        return { partition, offset: header.baseOffset + BigInt(r.offsetDelta), inputId: parsed?.inputId ?? -1, tag: parsed?.tag ?? `unparsable ${JSON.stringify(value)}` };
      });
      stored += outputs.length;
      if (attributes.isTransactional) (pending.get(header.producerId) ?? pending.set(header.producerId, []).get(header.producerId)!).push(...outputs);
      else committed.push(...outputs);
    }
  }
  return { committed: committed.sort((a, b) => Number(a.offset - b.offset)), stored };
}
