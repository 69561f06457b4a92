// The bytes of a batch of metadata records, as a metadata log frame holds
// them and as the controller pushes them to brokers, and msgpack arrays
// packed a value at a time in turns of the event loop.
import { Packr } from 'msgpackr';
import { LoopTurns } from './loop-turns.js';
import { parseMetadataRecord } from './metadata-records.js';
import type { MetadataRecord } from './metadata-records.js';

const MSGPACK_ARRAY32 = 0xdd;

// Plain msgpack maps: a file must decode without structures kept elsewhere.
const codec = new Packr({ useRecords: false, mapsAsObjects: true });

/**
 * Records as a metadata log frame's payload, which is also what the
 * controller pushes to brokers: one record alone, or a msgpack array of them
 * (packArrayInTurns), so that a batch of thousands shares the event loop.
 */
export async function packMetadataBatch(records: Iterable<MetadataRecord>): Promise<Buffer> {
  if (Array.isArray(records) && records.length === 1) return Buffer.from(codec.pack(records[0]));
  return packArrayInTurns(records);
}

/**
 * Plain values (no Maps, no classes) as one msgpack array: an array 32
 * header, then each value as `codec.pack` encodes it alone, packed a value at
 * a time in turns of the event loop (loop-turns.ts). `unpackArray` reads it.
 */
export async function packArrayInTurns(values: Iterable<unknown>): Promise<Buffer> {
  return Buffer.concat(await packArrayChunksInTurns(values));
}

/**
 * packArrayInTurns's bytes as consecutive chunks, one per turn, for a
 * receiver to join on its own thread: joining megabytes of them is itself
 * a long stretch.
 */
export async function packArrayChunksInTurns(values: Iterable<unknown>): Promise<Buffer[]> {
  const header = Buffer.allocUnsafe(5);
  const chunks = [header];
  let parts: Buffer[] = [];
  let count = 0;
  const turns = new LoopTurns();
  for (const value of values) {
    // pack returns a view of msgpackr's reusable buffer: copied before the next call.
    parts.push(Buffer.from(codec.pack(value)));
    count++;
    if (turns.due) {
      chunks.push(Buffer.concat(parts));
      parts = [];
      await turns.next();
    }
  }
  if (parts.length > 0) chunks.push(Buffer.concat(parts));
  header[0] = MSGPACK_ARRAY32;
  header.writeUInt32BE(count, 1);
  return chunks;
}

/** The values packArrayInTurns packed, whole or in the chunks packArrayChunksInTurns made. */
export function unpackArray(payload: Uint8Array | readonly Uint8Array[]): unknown[] {
  return codec.unpack(payload instanceof Uint8Array ? payload : Buffer.concat(payload)) as unknown[];
}

/** The records of a payload packMetadataBatch made; `source` and `firstOffset` name them in errors. */
export function unpackMetadataBatch(payload: Uint8Array, source: string, firstOffset: number): MetadataRecord[] {
  const decoded = decode(payload, source, firstOffset);
  return (Array.isArray(decoded) ? decoded : [decoded]).map((value, i) => parseMetadataRecord(value, source, firstOffset + i));
}

function decode(payload: Uint8Array, path: string, offset: number): unknown {
  try {
    return codec.unpack(payload);
  } catch (err) {
    throw new Error(`${path}: record at offset ${offset} is not msgpack: ${(err as Error).message}`);
  }
}
