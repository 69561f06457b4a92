import { FRAME_SIZE_BYTES, FrameSizeError } from './frame-size.js';

/**
 * Where a frame that arrived in several chunks is put together: a buffer of
 * at least `length` bytes for the frame whose first chunk is `head` (its size
 * prefix, and whatever followed it in that chunk), or undefined for a fresh
 * one. The frame is a view of the buffer's first `length` bytes, and nothing
 * else is ever copied into it.
 */
export type FrameBufferSource = (length: number, head: Buffer) => Buffer | undefined;

/**
 * Cuts a TCP byte stream into frames (size prefix included, as the frame
 * decoders take them). A size is checked against `maxFrameBytes` as soon as
 * its 4 bytes arrive, before any of the frame is buffered, so a peer cannot
 * make the broker hold more than the limit. Frames that arrive whole in one
 * chunk are views of it; a frame split across chunks is copied once, into a
 * buffer from `frameBuffer` when it gives one (the broker reuses buffers for
 * large produce requests: a fresh megabyte costs far more in page faults than
 * the copy), and the frames after it in its last chunk are views of that
 * chunk, not of the copy (which would keep a large frame alive after it was
 * served, or put another request's bytes in a reused buffer). After a
 * FrameSizeError the stream is out of sync: close the connection. Not
 * thread-safe; owned by the connection's loop.
 */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Length of the frame being assembled, size prefix included; -1 until its size arrives. */
  private expected = -1;

  constructor(
    readonly maxFrameBytes: number,
    private readonly frameBuffer?: FrameBufferSource,
  ) {}

  /** Bytes held for a frame not yet complete. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Length of the frame being assembled, size prefix included, once its size prefix has arrived. */
  get pendingFrameLength(): number | undefined {
    return this.expected < 0 ? undefined : this.expected;
  }

  /** Feeds a chunk; returns the frames it completes, in order. */
  push(chunk: Buffer): Buffer[] {
    if (this.pendingBytes === 0) return this.split(chunk);
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.expected < 0 && this.pendingBytes >= FRAME_SIZE_BYTES) this.expected = this.frameLength(this.peekSize());
    if (this.expected < 0 || this.pendingBytes < this.expected) return [];
    // Whatever follows the frame came in this chunk: before it, fewer bytes than the frame were pending.
    const frame = this.assemble(this.expected);
    const after = this.pendingBytes - this.expected;
    this.pending = [];
    this.pendingBytes = 0;
    this.expected = -1;
    if (after === 0) return [frame];
    const frames = this.split(chunk.subarray(chunk.length - after));
    frames.unshift(frame);
    return frames;
  }

  /** The pending frame of `length` bytes, copied out of its chunks. */
  private assemble(length: number): Buffer {
    const target = this.frameBuffer?.(length, this.pending[0]!) ?? Buffer.allocUnsafe(length);
    let filled = 0;
    for (const chunk of this.pending) {
      filled += chunk.copy(target, filled, 0, Math.min(chunk.length, length - filled));
      if (filled === length) break;
    }
    return target.length === length ? target : target.subarray(0, length);
  }

  private split(data: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let at = 0;
    while (data.length - at >= FRAME_SIZE_BYTES) {
      const length = this.frameLength(data.readInt32BE(at));
      if (data.length - at < length) {
        this.expected = length;
        break;
      }
      frames.push(data.subarray(at, at + length));
      at += length;
    }
    if (at < data.length) {
      this.pending.push(data.subarray(at));
      this.pendingBytes = data.length - at;
    }
    return frames;
  }

  private frameLength(size: number): number {
    if (size < 0 || size > this.maxFrameBytes) throw new FrameSizeError(size, this.maxFrameBytes);
    return FRAME_SIZE_BYTES + size;
  }

  /** The size prefix when its 4 bytes are spread over several pending chunks. */
  private peekSize(): number {
    const bytes = Buffer.allocUnsafe(FRAME_SIZE_BYTES);
    let filled = 0;
    for (const chunk of this.pending) {
      filled += chunk.copy(bytes, filled, 0, Math.min(chunk.length, FRAME_SIZE_BYTES - filled));
      if (filled === FRAME_SIZE_BYTES) break;
    }
    return bytes.readInt32BE(0);
  }
}
