import type { StorageFile } from './storage-file.js';

/**
 * A forward-moving view of the bytes [from, to) of a file, for a batch scan:
 * `ensure(position, length)` makes those bytes available contiguously in
 * `bytes` (starting at `position - start`), reading a chunk at a time. With
 * read-ahead (the recovery scan) the next chunk is read while the caller
 * checks the current one; a batch cut by the chunk boundary is carried over
 * by copying its head into headroom kept in front of the next chunk, so the
 * chunk itself is never copied.
 */
export class ScanWindow {
  bytes: Buffer = Buffer.alloc(0);
  start: number;
  private readonly buffers: Buffer[];
  private active = 0;
  private readonly headroom: number;
  private ahead: { position: number; read: Promise<number> } | undefined;

  constructor(
    private readonly file: StorageFile,
    from: number,
    private readonly to: number,
    private readonly chunk: number,
    private readonly readAhead: boolean,
  ) {
    this.start = from;
    this.headroom = readAhead ? chunk >> 2 : 0;
    const size = this.headroom + chunk;
    this.buffers = readAhead ? [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)] : [Buffer.allocUnsafe(size)];
  }

  /** Whether [position, position + length) is in `bytes` already (no await needed). */
  has(position: number, length: number): boolean {
    return position + length <= this.start + this.bytes.length;
  }

  /** Makes [position, position + length) available; false if the file ends first. `position` never goes back. */
  async ensure(position: number, length: number): Promise<boolean> {
    const end = this.start + this.bytes.length;
    if (position + length <= end) return true;
    const carried = end - position;
    if (this.ahead !== undefined && this.ahead.position === end && carried >= 0 && carried <= this.headroom && length - carried <= this.chunk) {
      const read = await this.ahead.read;
      this.ahead = undefined;
      const next = this.buffers[1 - this.active]!;
      this.bytes.copy(next, this.headroom - carried, position - this.start);
      this.bytes = next.subarray(this.headroom - carried, this.headroom + read);
      this.active = 1 - this.active;
    } else {
      await this.settle();
      const own = this.buffers[this.active]!;
      const target = length <= own.length ? own : Buffer.allocUnsafe(length);
      this.bytes = target.subarray(0, await this.file.read(target, position, Math.min(target.length, this.to - position)));
    }
    this.start = position;
    this.readNext();
    return position + length <= this.start + this.bytes.length;
  }

  /** Waits for a read-ahead still running (its bytes are not needed). */
  async settle(): Promise<void> {
    if (this.ahead === undefined) return;
    const { read } = this.ahead;
    this.ahead = undefined;
    await read.catch(() => 0);
  }

  private readNext(): void {
    const position = this.start + this.bytes.length;
    if (!this.readAhead || position >= this.to) return;
    const target = this.buffers[1 - this.active]!.subarray(this.headroom);
    const read = this.file.read(target, position, Math.min(target.length, this.to - position));
    // Awaited by the next ensure, or dropped by settle; never an unhandled rejection.
    read.catch(() => {});
    this.ahead = { position, read };
  }
}
