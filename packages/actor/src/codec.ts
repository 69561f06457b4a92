// How a mailbox puts a value on a port: one msgpack frame, plus the buffers
// the sender transfers. msgpackr's structuredClone mode keeps what
// postMessage would keep (Map, Set, Date, Error, bigint of any size, typed
// arrays, shared and cyclic references). Every frame carries its own record
// definitions, so one decoder serves all of a thread's peers in any order.
//
// A frame under STRING_FRAME_LIMIT crosses the port as a one-byte (latin1)
// string: a port clones a short string faster than it allocates an
// ArrayBuffer per message (about 1.7x the round trips in tools/bench/actor).
// A larger frame goes as its own ArrayBuffer, transferred, since copying its
// bytes through a string then costs more than the allocation.
//
// A MessagePort in the transfer list crosses the same way as a buffer: moved
// beside the frame, and put back where the message held it.

import { MessagePort } from 'node:worker_threads';
import { Packr, Unpackr } from 'msgpackr';
import { sliceTransferred, withArrivingBuffers } from './codec-transfer.js';

const packr = new Packr({ structuredClone: true });
const unpackr = new Unpackr({ structuredClone: true });

export const STRING_FRAME_LIMIT = 16 * 1024;

type Frame = string | Uint8Array;

/** What a message may move to its peer instead of copying: buffers, and ports (a channel handed to another thread). */
export type Transferred = ArrayBuffer | MessagePort;

/** A frame alone, or a frame followed by the buffers and ports it refers to. */
export type WireFrame = Frame | [Frame, ...Transferred[]];

export interface EncodedFrame {
  readonly data: WireFrame;
  readonly transferList: Transferred[];
}

export function encodeFrame(value: unknown, transfer: readonly Transferred[] = []): EncodedFrame {
  const buffers = [...new Set(transfer)];
  const packed = packr.pack(buffers.length === 0 ? value : sliceTransferred(value, buffers));
  let frame: Frame;
  let transferList: Transferred[] = buffers;
  if (packed.length < STRING_FRAME_LIMIT) {
    frame = packed.toString('latin1');
  } else {
    // pack returns a view into msgpackr's reusable buffer; the frame needs a
    // buffer of its own to transfer.
    const owned = new Uint8Array(packed.length);
    owned.set(packed);
    frame = owned;
    transferList = [owned.buffer, ...buffers];
  }
  return { data: buffers.length === 0 ? frame : [frame, ...buffers], transferList };
}

/** The value a peer encoded; throws when `data` is not a frame this codec wrote. */
export function decodeFrame(data: unknown): unknown {
  let frame: unknown = data;
  let buffers: Transferred[] = [];
  if (Array.isArray(data)) {
    [frame, ...buffers] = data as unknown[] as [unknown, ...Transferred[]];
    if (!buffers.every((b) => b instanceof ArrayBuffer || b instanceof MessagePort)) {
      throw new TypeError('frame is followed by something other than ArrayBuffers and MessagePorts');
    }
  }
  let bytes: Buffer;
  if (typeof frame === 'string') bytes = Buffer.from(frame, 'latin1');
  // A Buffer view, not a copy; bytes fields then decode as Buffers, as they were sent.
  else if (frame instanceof Uint8Array) bytes = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  else throw new TypeError(`expected a msgpack frame, got ${describe(frame)}`);
  return buffers.length === 0 ? unpackr.unpack(bytes) : withArrivingBuffers(buffers, () => unpackr.unpack(bytes));
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}
