// The bytes of a batch of metadata records, as a metadata log frame holds
// them and as the controller pushes them to brokers, and msgpack arrays
// packed a value at a time in turns of the event loop.
import { Packr } from 'msgpackr';
import { LoopTurns } from './loop-turns.js';
import { parseMetadataRecord } from './metadata-records.js';
import type { MetadataRecord } from './metadata-records.js';

const MSGPACK_FIXARRAY = 0x90;
const MSGPACK_ARRAY16 = 0xdc;
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
  let group: unknown[] = [];
  let count = 0;
  const turns = new LoopTurns();
  for (const value of values) {
    group.push(value);
    count++;
    if (group.length < PACK_GROUP) continue;
    parts.push(packedElements(group));
    group = [];
    if (turns.due) {
      chunks.push(Buffer.concat(parts));
      parts = [];
      await turns.next();
    }
  }
  if (group.length > 0) parts.push(packedElements(group));
  if (parts.length > 0) chunks.push(Buffer.concat(parts));
  header[0] = MSGPACK_ARRAY32;
  header.writeUInt32BE(count, 1);
  return chunks;
}

/**
 * Values packed a group at a time: msgpackr's pack costs about as much per
 * call as per small record, and a msgpack array is its header and then each
 * element as packed alone. 30,000 partition records: 35-60 ms a value at a
 * time, 15-30 ms in groups of 256.
 */
const PACK_GROUP = 256;

/** The elements of `values` packed as an array, without the array's header: each value's bytes as `codec.pack` gives them alone. */
function packedElements(values: readonly unknown[]): Buffer {
  const packed = codec.pack(values);
  const first = packed[0]!;
  const headerBytes = (first & 0xf0) === MSGPACK_FIXARRAY ? 1 : first === MSGPACK_ARRAY16 ? 3 : first === MSGPACK_ARRAY32 ? 5 : 0;
  if (headerBytes === 0) throw new Error(`msgpack packed an array with header byte 0x${first.toString(16)}`);
  // pack returns a view of msgpackr's reusable buffer: copied before the next call.
  return Buffer.from(packed.subarray(headerBytes));
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
