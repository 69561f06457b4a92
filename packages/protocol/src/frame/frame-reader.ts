import { FRAME_SIZE_BYTES, FrameSizeError } from './frame-size.js';

/**
 * Cuts a TCP byte stream into frames (size prefix included, as the frame
 * decoders take them). A size is checked against `maxFrameBytes` as soon as
 * its 4 bytes arrive, before any of the frame is buffered, so a peer cannot
 * make the broker hold more than the limit. Frames that arrive whole in one
 * chunk are views of it; a frame split across chunks is copied once, and the
 * start of the next frame held after it is a view of the chunk it came in, not
 * of that copy (which would keep a large frame alive after it was served).
 * After a FrameSizeError the stream is out of sync: close the connection.
 * Not thread-safe; owned by the connection's loop.
 */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Length of the frame being assembled, size prefix included; -1 until its size arrives. */
  private expected = -1;

  constructor(readonly maxFrameBytes: number) {}

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
    const joined = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.expected = -1;
    const frames = this.split(joined);
    if (this.pendingBytes > 0) this.pending = [chunk.subarray(chunk.length - this.pendingBytes)];
    return frames;
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
