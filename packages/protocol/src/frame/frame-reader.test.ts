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
});
