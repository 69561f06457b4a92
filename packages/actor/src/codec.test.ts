import { MessageChannel, MessagePort } from 'node:worker_threads';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, STRING_FRAME_LIMIT } from './codec.js';
import type { Transferred } from './codec.js';

/** Posts an encoded frame through a real MessageChannel and decodes what arrives. */
async function acrossPort(value: unknown, transfer: Transferred[] = []): Promise<unknown> {
  const { port1, port2 } = new MessageChannel();
  try {
    const arrived = new Promise<unknown>((resolve) => port2.once('message', resolve));
    const frame = encodeFrame(value, transfer);
    port1.postMessage(frame.data, frame.transferList);
    return decodeFrame(await arrived);
  } finally {
    port1.close();
  }
}

// What structured clone keeps and msgpack can carry. -0 is left out because
// msgpack has no negative zero integer, and the key __proto__ because the
// decoder renames it (see aProtoKeyCannotReachAPrototype).
const wireValue = fc.anything({
  maxDepth: 3,
  key: fc.string().filter((k) => k !== '__proto__'),
  withBigInt: true,
  withMap: true,
  withSet: true,
  withDate: true,
  withTypedArray: true,
  withNullPrototype: false,
  withSparseArray: false,
  withBoxedValues: false,
  values: [fc.integer(), fc.double({ noDefaultInfinity: false }).filter((d) => !Object.is(d, -0)), fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined)],
});

describe('codec', () => {
  it('roundTripsWhatStructuredCloneKeeps', () => {
    fc.assert(
      fc.property(wireValue, (value) => {
        expect(decodeFrame(encodeFrame(value).data)).toStrictEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it('keepsBigintOffsetsBeyondInt64AndBuffersAsBuffers', () => {
    const value = { offset: 2n ** 63n - 1n, huge: 2n ** 80n, negative: -5n, key: Buffer.from('k'), raw: new Uint8Array([1, 2]) };
    const decoded = decodeFrame(encodeFrame(value).data) as typeof value;
    expect(decoded).toStrictEqual(value);
    expect(Buffer.isBuffer(decoded.key)).toBe(true);
    expect(Buffer.isBuffer(decoded.raw)).toBe(false);
  });

  it('decodesFramesFromManySendersInAnyOrder', () => {
    // Two senders with their own encoders, as two threads would have; one
    // receiving decoder reads their frames shuffled.
    const shapes = fc.array(fc.record({ type: fc.constantFrom('A', 'B', 'C'), n: fc.integer(), tags: fc.array(fc.string(), { maxLength: 3 }) }, { noNullPrototype: true }), {
      minLength: 1,
      maxLength: 20,
    });
    fc.assert(
      fc.property(shapes, shapes, fc.infiniteStream(fc.nat()), (fromA, fromB, picks) => {
        const other = new Packr({ structuredClone: true });
        const frames = [...fromA.map((m) => ({ m, data: encodeFrame(m).data })), ...fromB.map((m) => ({ m, data: new Uint8Array(other.pack(m)) }))];
        const it = picks[Symbol.iterator]();
        for (let i = frames.length - 1; i > 0; i--) {
          const j = it.next().value % (i + 1);
          [frames[i], frames[j]] = [frames[j]!, frames[i]!];
        }
        for (const { m, data } of frames) expect(decodeFrame(data)).toStrictEqual(m);
      }),
      { numRuns: 100 },
    );
  });

  it('transferMovesTheBytesInsteadOfCopyingThem', async () => {
    const records = new ArrayBuffer(64);
    new Uint8Array(records).fill(7);
    const view = new Float64Array(records, 8, 2);
    view[0] = 1.5;
    const value = {
      type: 'FetchResponse',
      partitions: [{ partition: 0, records: Buffer.from(records, 24, 16) }],
      floats: view,
      whole: records,
      copied: Buffer.from('not transferred'),
    };
    const decoded = (await acrossPort(value, [records])) as typeof value;

    expect(records.byteLength).toBe(0);
    const arrivedBuffer = decoded.whole;
    expect(arrivedBuffer.byteLength).toBe(64);
    const part = decoded.partitions[0]!.records;
    expect(Buffer.isBuffer(part)).toBe(true);
    expect(part.buffer).toBe(arrivedBuffer);
    expect([part.byteOffset, part.byteLength]).toEqual([24, 16]);
    expect(decoded.floats).toBeInstanceOf(Float64Array);
    expect(decoded.floats.buffer).toBe(arrivedBuffer);
    expect(decoded.floats[0]).toBe(1.5);
    expect(decoded.copied.toString()).toBe('not transferred');
  });

  it('transferKeepsSharedAndCyclicReferences', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const shared = { bytes };
    const cyclic: { self?: unknown; shared: typeof shared; again: typeof shared } = { shared, again: shared };
    cyclic.self = cyclic;
    const decoded = (await acrossPort(cyclic, [bytes.buffer as ArrayBuffer])) as typeof cyclic;
    expect(decoded.self).toBe(decoded);
    expect(decoded.again).toBe(decoded.shared);
    expect([...decoded.shared.bytes]).toEqual([1, 2, 3]);
  });

  it('smallFramesTravelAsStringsAndLargeOnesAsTheirOwnTransferredBuffer', async () => {
    for (const size of [0, STRING_FRAME_LIMIT - 64, STRING_FRAME_LIMIT, 1 << 20]) {
      const value = { type: 'Produce', records: Buffer.alloc(size, 0xab), offset: 1n };
      value.records[size - 1] = 0xcd;
      const { data, transferList } = encodeFrame(value);
      if (size < STRING_FRAME_LIMIT - 32) {
        expect(typeof data).toBe('string');
        expect(transferList).toEqual([]);
      } else {
        expect(data).toBeInstanceOf(Uint8Array);
        expect(transferList).toEqual([(data as Uint8Array).buffer]);
      }
      const arrived = (await acrossPort(value)) as typeof value;
      expect(Buffer.isBuffer(arrived.records) && arrived.records.equals(value.records)).toBe(true);
      expect({ ...arrived, records: null }).toStrictEqual({ ...value, records: null });
    }
  });

  it('aProtoKeyCannotReachAPrototype', () => {
    const hostile = JSON.parse('{"type":"Echo","__proto__":{"polluted":true}}') as object;
    const decoded = decodeFrame(encodeFrame(hostile).data) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(decoded['polluted']).toBeUndefined();
  });

  it('rejectsWhatIsNotAFrame', () => {
    expect(() => decodeFrame(42)).toThrow(/expected a msgpack frame, got number/);
    expect(() => decodeFrame({ type: 'Fetch' })).toThrow(/expected a msgpack frame, got Object/);
    // Bytes that hold a value and then more: not one frame.
    expect(() => decodeFrame('hello')).toThrow();
    expect(() => decodeFrame([new Uint8Array([0x90]), 'not a buffer'])).toThrow(/other than ArrayBuffers/);
    // An array header announcing two items, followed by one.
    expect(() => decodeFrame(new Uint8Array([0x92, 0x01]))).toThrow();
  });

  it('rejectsAFrameThatRefersToABufferThatDidNotArrive', () => {
    const buffer = new ArrayBuffer(4);
    const { data } = encodeFrame({ bytes: new Uint8Array(buffer) }, [buffer]);
    const [frame] = data as [Uint8Array, ...ArrayBuffer[]];
    expect(() => decodeFrame([frame])).toThrow(/transferred buffer 0, but 0 arrived/);
  });

  it('transferredPortArrivesWhereTheMessageHeldItAndStillCarriesMessages', async () => {
    const handed = new MessageChannel();
    const buffer = new ArrayBuffer(8);
    const decoded = (await acrossPort({ peerId: 2, port: handed.port2, bytes: new Uint8Array(buffer) }, [handed.port2, buffer])) as {
      peerId: number;
      port: MessagePort;
      bytes: Uint8Array;
    };
    try {
      expect(decoded.peerId).toBe(2);
      expect(decoded.port).toBeInstanceOf(MessagePort);
      expect(decoded.bytes.byteLength).toBe(8);
      const arrived = new Promise((resolve) => handed.port1.once('message', resolve));
      decoded.port.postMessage('through the handed port');
      await expect(arrived).resolves.toBe('through the handed port');
    } finally {
      decoded.port.close();
      handed.port1.close();
    }
  });

  it('aPortMissingFromANonEmptyTransferListIsRefused', () => {
    const handed = new MessageChannel();
    try {
      expect(() => encodeFrame({ port: handed.port2, bytes: new ArrayBuffer(1) }, [new ArrayBuffer(1)])).toThrow(/must be in its transfer list/);
    } finally {
      handed.port1.close();
    }
  });
});
