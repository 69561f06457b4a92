import { BATCH_HEADER_SIZE, CURRENT_MAGIC, lastOffsetOf, readBatchHeader, validateBatch, type RecordBatchHeader } from '@kstream/protocol';
import type { BatchChain, EpochSpike } from './batch-chain.js';
import { ScanWindow } from './batch-scanner-window.js';
import type { StorageFile } from './storage-file.js';
import { describeProblem } from './storage-errors.js';

/** What the log needs to know of a stored batch, read from its header. */
export interface ScannedBatch {
  position: number;
  size: number;
  baseOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: bigint;
  partitionLeaderEpoch: number;
}

export interface ScanResult {
  /** Position after the last batch visited (or `from` if none). */
  end: number;
  /** The first batch that failed its check, if the scan stopped on one. */
  problem?: ScanProblem;
}

export interface ScanProblem {
  position: number;
  /** The bad batch's base offset as far as it could be read. */
  offset?: bigint;
  description: string;
  /** The epoch went down after a one-batch spike: that batch may be the corrupt one (see BatchChain.epochSpike). */
  epochSpike?: EpochSpike;
}

export interface ScanOptions {
  /** Check each batch's CRC (recovery, and reads served to clients); otherwise only its header framing. */
  verifyCrc: boolean;
  /** Bytes read per disk read. */
  chunkSize: number;
  /** The batches before `from` and the segment's range: offsets and epochs are checked against them (see BatchChain). */
  chain?: BatchChain;
  /** With verifyCrc, for a batch whose CRC fails though its header holds: true walks on past it as if it were good. */
  passBadCrc?: (problem: ScanProblem) => boolean;
}

/**
 * What is wrong with a stored batch's header (at `position`), if anything:
 * on its own (length, magic, offset delta, epoch) and, given the chain of
 * batches before it, in its place (offsets that follow on inside the
 * segment's range, epochs that never go down); the chain then moves past it.
 * The checks every walk over stored batches shares — recovery, index
 * lookups, reads.
 */
export function headerProblem(header: RecordBatchHeader, position: number, chain?: BatchChain): string | undefined {
  if (header.sizeInBytes < BATCH_HEADER_SIZE) return describeProblem({ kind: 'bad-length', batchLength: header.sizeInBytes - 12 });
  if (header.magic !== CURRENT_MAGIC) return describeProblem({ kind: 'bad-magic', magic: header.magic });
  if (header.lastOffsetDelta < 0) return `negative lastOffsetDelta ${header.lastOffsetDelta}`;
  if (header.partitionLeaderEpoch < -1) return `negative partition leader epoch ${header.partitionLeaderEpoch}`;
  return chain?.follow(header, position);
}

/** The problem report of a batch that failed headerProblem, with the epoch spike it may come from. */
function chainProblem(position: number, header: RecordBatchHeader, description: string, chain: BatchChain | undefined): ScanProblem {
  const spike = chain?.epochSpike;
  return { position, offset: header.baseOffset, description, ...(spike !== undefined ? { epochSpike: spike } : {}) };
}

/**
 * Walks the batches of a .log file between two positions, reading it in
 * chunks: the recovery scan, the short scan after an offset index lookup,
 * the tail scan at open. `visit` returns false to stop early. A batch that is
 * incomplete, fails headerProblem (with the options' chain) or (with
 * verifyCrc) its CRC stops the scan and is reported; nothing after it is
 * trusted.
 */
export async function scanBatches(file: StorageFile, from: number, to: number, options: ScanOptions, visit: (batch: ScannedBatch) => boolean | void): Promise<ScanResult> {
  const window = new ScanWindow(file, from, to, Math.max(BATCH_HEADER_SIZE, Math.min(options.chunkSize, to - from)), options.verifyCrc);
  try {
    let position = from;
    while (position < to) {
      const headerBytes = Math.min(BATCH_HEADER_SIZE, to - position);
      if (!window.has(position, headerBytes)) await window.ensure(position, headerBytes);
      const view = window.bytes;
      const at = position - window.start;
      const header = readBatchHeader(view, at);
      if (header === undefined) {
        const available = view.length - at;
        return { end: position, problem: { position, description: `incomplete batch header: ${available} of ${BATCH_HEADER_SIZE} bytes` } };
      }
      const fail = (description: string): ScanResult => ({ end: position, problem: chainProblem(position, header, description, options.chain) });
      const size = header.sizeInBytes;
      // A bad length first: the size it gives means nothing. Then a batch cut off, then the rest.
      if (size < BATCH_HEADER_SIZE) return fail(headerProblem(header, position)!);
      if (position + size > to) return fail(describeProblem({ kind: 'incomplete', needed: size, available: to - position }));
      const problem = headerProblem(header, position, options.chain);
      if (problem !== undefined) return fail(problem);
      if (options.verifyCrc) {
        if (!window.has(position, size)) await window.ensure(position, size);
        const checked = validateBatch(window.bytes, position - window.start);
        if (!checked.ok) {
          const bad = { position, offset: header.baseOffset, description: describeProblem(checked.problem) };
          if (options.passBadCrc?.(bad) !== true) return { end: position, problem: bad };
        }
      }
      const keepGoing = visit({
        position,
        size,
        baseOffset: header.baseOffset,
        lastOffset: lastOffsetOf(header),
        maxTimestamp: header.maxTimestamp,
        partitionLeaderEpoch: header.partitionLeaderEpoch,
      });
      position += size;
      if (keepGoing === false) break;
    }
    return { end: position };
  } finally {
    await window.settle();
  }
}

/**
 * Walks the batches of an in-memory buffer (bytes just read for a client),
 * checking each CRC and each header against `chain`. `visit` returns false
 * to stop. Returns the problem that stopped the walk, if one did — a batch
 * cut off by the end of the buffer included.
 */
export function scanBuffer(bytes: Buffer, chain: BatchChain, visit: (batch: ScannedBatch) => boolean): ScanProblem | undefined {
  let position = 0;
  while (position < bytes.length) {
    const checked = validateBatch(bytes, position);
    const header = readBatchHeader(bytes, position);
    if (!checked.ok) return { position, offset: header?.baseOffset, description: describeProblem(checked.problem) };
    const problem = headerProblem(header!, position, chain);
    if (problem !== undefined) return chainProblem(position, header!, problem, chain);
    const batch = {
      position,
      size: checked.size,
      baseOffset: header!.baseOffset,
      lastOffset: lastOffsetOf(header!),
      maxTimestamp: header!.maxTimestamp,
      partitionLeaderEpoch: header!.partitionLeaderEpoch,
    };
    if (!visit(batch)) return undefined;
    position += checked.size;
  }
  return undefined;
}
