import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameReader } from './frame-reader.js';
import { FrameSizeError } from './frame-size.js';

function frame(payload: string): Buffer {
  const body = Buffer.from(payload);
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

describe('FrameReader', () => {
  it('splitsFramesArrivingOneByteAtATime', () => {
    const stream = Buffer.concat([frame('first'), frame(''), frame('third frame')]);
    const reader = new FrameReader(1024);
    const frames: Buffer[] = [];
    for (const byte of stream) frames.push(...reader.push(Buffer.from([byte])));
    expect(frames).toEqual([frame('first'), frame(''), frame('third frame')]);
    expect(reader.bufferedBytes).toBe(0);
  });

  it('framesWithinOneChunkAreViewsOfIt', () => {
    const chunk = Buffer.concat([frame('a'), frame('bb'), frame('ccc').subarray(0, 5)]);
    const reader = new FrameReader(1024);
    const frames = reader.push(chunk);
    expect(frames).toEqual([frame('a'), frame('bb')]);
    expect(frames.every((f) => f.buffer === chunk.buffer)).toBe(true);
    expect(reader.bufferedBytes).toBe(5);
    expect(reader.push(Buffer.from('cc'))).toEqual([frame('ccc')]);
  });

  it('sizePrefixSplitAcrossChunks', () => {
    const reader = new FrameReader(1024);
    const whole = frame('hello');
    expect(reader.push(whole.subarray(0, 2))).toEqual([]);
    expect(reader.push(whole.subarray(2, 3))).toEqual([]);
    expect(reader.push(Buffer.concat([whole.subarray(3), frame('x')]))).toEqual([whole, frame('x')]);
  });

  it('frameAtTheLimitIsAccepted', () => {
    const reader = new FrameReader(5);
    expect(reader.push(frame('12345'))).toEqual([frame('12345')]);
  });

  it('oversizedFrameIsRefusedBeforeItsBodyIsBuffered', () => {
    const reader = new FrameReader(100);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(100 * 1024 * 1024, 0);
    try {
      reader.push(prefix);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FrameSizeError);
      expect(error).toMatchObject({ size: 100 * 1024 * 1024, limit: 100 });
      expect((error as Error).message).toBe('frame size 104857600 exceeds the limit of 100 bytes');
    }
  });

  it('oversizedSizePrefixSplitAcrossChunksIsRefusedOnItsLastByte', () => {
    const reader = new FrameReader(100);
    expect(reader.push(Buffer.from([0x7f, 0xff]))).toEqual([]);
    expect(() => reader.push(Buffer.from([0xff, 0xff, 0, 0, 0]))).toThrow(FrameSizeError);
  });

  it('negativeSizeIsRefused', () => {
    const reader = new FrameReader(100);
    expect(() => reader.push(Buffer.from([0xff, 0xff, 0xff, 0xfe]))).toThrow('negative frame size -2');
  });

  it('oversizedFrameAfterAGoodOneInTheSameChunk', () => {
    const reader = new FrameReader(10);
    const bad = Buffer.alloc(4);
    bad.writeInt32BE(11, 0);
    expect(() => reader.push(Buffer.concat([frame('ok'), bad]))).toThrow('frame size 11 exceeds the limit of 10 bytes');
  });

  it('pendingFrameLengthOnceTheSizePrefixArrives', () => {
    const reader = new FrameReader(1024);
    const whole = frame('hello');
    reader.push(whole.subarray(0, 3));
    expect(reader.pendingFrameLength).toBeUndefined();
    reader.push(whole.subarray(3, 6));
    expect(reader.pendingFrameLength).toBe(whole.length);
    reader.push(whole.subarray(6));
    expect(reader.pendingFrameLength).toBeUndefined();
  });

  it('nextFrameStartDoesNotKeepAJoinedFrameAlive', () => {
    const reader = new FrameReader(1 << 20);
    const large = frame('x'.repeat(100_000));
    const next = frame('next');
    reader.push(large.subarray(0, 50_000));
    const lastChunk = Buffer.concat([large.subarray(50_000), next.subarray(0, 6)]);
    const [joined] = reader.push(lastChunk);
    expect(joined).toEqual(large);
    // What is held of the next frame views the chunk it arrived in, not the 100 KB copy served as a frame.
    const held = (reader as unknown as { pending: Buffer[] }).pending;
    expect(held).toHaveLength(1);
    expect(held[0]!.buffer).toBe(lastChunk.buffer);
    expect(reader.push(next.subarray(6))).toEqual([next]);
  });

  it('splitFrameIsAssembledInTheSourcesBuffer: the frame views its first bytes, the source sees its length and first chunk, and the next frame views the chunk it came in', () => {
    const given: Buffer[] = [];
    const asked: { length: number; head: Buffer }[] = [];
    const reader = new FrameReader(1 << 20, (length, head) => {
      asked.push({ length, head });
      const buffer = Buffer.alloc(length + 100, 0xee);
      given.push(buffer);
      return buffer;
    });
    const large = frame('y'.repeat(1_000));
    const next = frame('next');
    const first = large.subarray(0, 300);
    expect(reader.push(first)).toEqual([]);
    const lastChunk = Buffer.concat([large.subarray(300), next]);
    const frames = reader.push(lastChunk);
    expect(frames).toEqual([large, next]);
    expect(asked).toEqual([{ length: large.length, head: first }]);
    expect(frames[0]!.buffer).toBe(given[0]!.buffer);
    expect(frames[0]!.byteOffset).toBe(given[0]!.byteOffset);
    expect(given[0]!.subarray(large.length).every((b) => b === 0xee)).toBe(true);
    expect(frames[1]!.buffer).toBe(lastChunk.buffer);
  });

  it('sourceMayDecline: undefined from the source assembles the frame in fresh memory', () => {
    let asked = 0;
    const reader = new FrameReader(1024, () => {
      asked++;
      return undefined;
    });
    const whole = frame('declined');
    reader.push(whole.subarray(0, 5));
    expect(reader.push(whole.subarray(5))).toEqual([whole]);
    expect(asked).toBe(1);
  });

  it('anyChunkingGivesTheSameFrames: property over frames and cut points, with and without a source of junk-filled buffers', () => {
    const frames = fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(frames, fc.array(fc.nat(), { maxLength: 20 }), fc.boolean(), (payloads, cuts, withSource) => {
        const expected = payloads.map((p) => {
          const out = Buffer.alloc(4 + p.length);
          out.writeInt32BE(p.length, 0);
          out.set(p, 4);
          return out;
        });
        const stream = Buffer.concat(expected);
        const given: Buffer[] = [];
        const reader = new FrameReader(1024, withSource ? (length) => given[given.push(Buffer.alloc(length + 7, 0xee)) - 1] : undefined);
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const got: Buffer[] = [];
        let from = 0;
        for (const to of [...points, stream.length]) {
          got.push(...reader.push(Buffer.from(stream.subarray(from, to))));
          from = to;
        }
        expect(got).toEqual(expected);
        expect(reader.bufferedBytes).toBe(0);
        // A source's buffer holds exactly one frame, at its start: no other request's bytes are put in it.
        for (const buffer of given) {
          const holders = got.filter((f) => f.buffer === buffer.buffer);
          expect(holders).toHaveLength(1);
          expect(holders[0]!.byteOffset).toBe(buffer.byteOffset);
        }
      }),
    );
  });
});
