// Transferred buffers travel beside the msgpack frame, not inside it: before
// packing, every view over a buffer in the transfer list is replaced by a
// TransferredSlice (buffer index, kind, offset, length), and on arrival the
// slice is rebuilt as the same kind of view over the transferred buffer. The
// bytes cross the port without a copy, which is the point of transferring.
// A transferred MessagePort is a slice of kind 'MessagePort' and arrives as
// the port itself.

import { MessagePort } from 'node:worker_threads';
import { addExtension } from 'msgpackr';
import type { Transferred } from './codec.js';

/** A view over one of the frame's transferred buffers, as it sits in the frame. */
class TransferredSlice {
  constructor(
    readonly kind: string,
    readonly buffer: number,
    readonly byteOffset: number,
    readonly byteLength: number,
  ) {}
}

type ViewConstructor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;

const typedArrays: ReadonlyMap<string, ViewConstructor & { BYTES_PER_ELEMENT: number }> = new Map(
  [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array].map((c) => [
    c.name,
    c as unknown as ViewConstructor & { BYTES_PER_ELEMENT: number },
  ]),
);

function kindOf(view: ArrayBufferView): string {
  if (Buffer.isBuffer(view)) return 'Buffer';
  if (view instanceof DataView) return 'DataView';
  for (const [name, c] of typedArrays) if (view instanceof c) return name;
  return 'Uint8Array';
}

// The buffers of the frame being decoded. Decoding is synchronous, so one
// module-level slot serves every mailbox on the thread.
let arriving: readonly Transferred[] = [];

function rebuild(fields: unknown): unknown {
  if (!Array.isArray(fields) || fields.length !== 4) throw new TypeError('transferred slice is not [kind, buffer, offset, length]');
  const [kind, index, byteOffset, byteLength] = fields as [unknown, unknown, number, number];
  const transferred = typeof index === 'number' ? arriving[index] : undefined;
  if (transferred === undefined) {
    throw new RangeError(`frame refers to transferred buffer ${String(index)}, but ${arriving.length} arrived`);
  }
  if (kind === 'MessagePort' || transferred instanceof MessagePort) {
    if (kind !== 'MessagePort' || !(transferred instanceof MessagePort)) {
      throw new TypeError(`transferred slice of kind '${String(kind)}' refers to a ${transferred.constructor.name}`);
    }
    return transferred;
  }
  const buffer = transferred;
  switch (kind) {
    case 'ArrayBuffer':
      return buffer;
    case 'Buffer':
      return Buffer.from(buffer, byteOffset, byteLength);
    case 'DataView':
      return new DataView(buffer, byteOffset, byteLength);
    default: {
      const c = typeof kind === 'string' ? typedArrays.get(kind) : undefined;
      if (c === undefined) throw new TypeError(`transferred slice of unknown kind '${String(kind)}'`);
      return new c(buffer, byteOffset, byteLength / c.BYTES_PER_ELEMENT);
    }
  }
}

// msgpackr extensions are process-wide; this one only matches TransferredSlice,
// a class private to this module, so other users of msgpackr are unaffected.
// 0x4b ('K') is outside the codes msgpackr itself uses.
addExtension({
  Class: TransferredSlice,
  type: 0x4b,
  write: (slice: TransferredSlice) => [slice.kind, slice.buffer, slice.byteOffset, slice.byteLength],
  read: rebuild,
});

/**
 * A copy of `value` in which each view over a buffer of `transfer` (and each
 * such buffer itself) is a TransferredSlice. Arrays, Maps, Sets and plain
 * objects are copied as they are walked; any other object is left to the codec,
 * whose bytes are copied into the frame.
 */
export function sliceTransferred(value: unknown, transfer: readonly Transferred[]): unknown {
  const indexOf = new Map<object, number>(transfer.map((t, i) => [t, i]));
  const copies = new Map<object, unknown>();

  const visit = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (ArrayBuffer.isView(v)) {
      const i = indexOf.get(v.buffer as ArrayBuffer);
      return i === undefined ? v : new TransferredSlice(kindOf(v), i, v.byteOffset, v.byteLength);
    }
    if (v instanceof ArrayBuffer) {
      const i = indexOf.get(v);
      return i === undefined ? v : new TransferredSlice('ArrayBuffer', i, 0, v.byteLength);
    }
    if (v instanceof MessagePort) {
      const i = indexOf.get(v);
      if (i === undefined) throw new TypeError('a MessagePort in a message must be in its transfer list');
      return new TransferredSlice('MessagePort', i, 0, 0);
    }
    const copied = copies.get(v);
    if (copied !== undefined) return copied;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      copies.set(v, out);
      for (const item of v) out.push(visit(item));
      return out;
    }
    if (v instanceof Map) {
      const out = new Map<unknown, unknown>();
      copies.set(v, out);
      for (const [key, item] of v) out.set(visit(key), visit(item));
      return out;
    }
    if (v instanceof Set) {
      const out = new Set<unknown>();
      copies.set(v, out);
      for (const item of v) out.add(visit(item));
      return out;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return v;
    const out: Record<string, unknown> = {};
    copies.set(v, out);
    for (const [key, item] of Object.entries(v)) out[key] = visit(item);
    return out;
  };
  return visit(value);
}

/** Runs `decode` with `buffers` as the targets of the frame's transferred slices. */
export function withArrivingBuffers<T>(buffers: readonly Transferred[], decode: () => T): T {
  arriving = buffers;
  try {
    return decode();
  } finally {
    arriving = [];
  }
}
