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
});
