// How a mailbox puts a value on a port: one msgpack frame, plus the buffers
// the sender transfers. msgpackr's structuredClone mode keeps what
// postMessage would keep (Map, Set, Date, Error, bigint of any size, typed
// arrays, shared and cyclic references). Every frame carries its own record
// definitions, so one decoder serves all of a thread's peers in any order.

import { Packr, Unpackr } from 'msgpackr';
import { sliceTransferred, withArrivingBuffers } from './codec-transfer.js';

const packr = new Packr({ structuredClone: true });
const unpackr = new Unpackr({ structuredClone: true });

/** A frame alone, or a frame followed by the buffers it refers to. */
export type WireFrame = Uint8Array | [Uint8Array, ...ArrayBuffer[]];

export interface EncodedFrame {
  readonly data: WireFrame;
  readonly transferList: ArrayBuffer[];
}

export function encodeFrame(value: unknown, transfer: readonly ArrayBuffer[] = []): EncodedFrame {
  const buffers = [...new Set(transfer)];
  const packed = packr.pack(buffers.length === 0 ? value : sliceTransferred(value, buffers));
  // pack returns a view into msgpackr's reusable buffer; the frame needs its
  // own, which is then transferred rather than cloned a second time.
  const frame = new Uint8Array(packed);
  return buffers.length === 0
    ? { data: frame, transferList: [frame.buffer] }
    : { data: [frame, ...buffers], transferList: [frame.buffer, ...buffers] };
}

/** The value a peer encoded; throws when `data` is not a frame this codec wrote. */
export function decodeFrame(data: unknown): unknown {
  let frame: unknown = data;
  let buffers: ArrayBuffer[] = [];
  if (Array.isArray(data)) {
    [frame, ...buffers] = data as unknown[] as [unknown, ...ArrayBuffer[]];
    if (!buffers.every((b) => b instanceof ArrayBuffer)) throw new TypeError('frame is followed by something other than ArrayBuffers');
  }
  if (!(frame instanceof Uint8Array)) throw new TypeError(`expected a msgpack frame, got ${describe(frame)}`);
  // A Buffer view (no copy) so that bytes fields decode as Buffers, as they were sent.
  const bytes = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  return buffers.length === 0 ? unpackr.unpack(bytes) : withArrivingBuffers(buffers, () => unpackr.unpack(bytes));
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}
