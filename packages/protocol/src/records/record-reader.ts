import { CorruptRecordBatchError, type CorruptRecordBatchReason } from './record-batch-error.js';

/**
 * A cursor over the records section of one batch that never reads past `end`
 * and never trusts a length: a short read, an over-long varint, a length below
 * -1 each throw a CorruptRecordBatchError naming the batch's base offset and
 * the record being read. Bytes it returns are views of `buf`, not copies.
 */
export class RecordReader {
  /** The record being decoded, for error messages; -1 outside a record. */
  recordIndex = -1;

  constructor(
    readonly buf: Buffer,
    public position: number,
    public end: number,
    readonly baseOffset: bigint,
  ) {}

  get remaining(): number {
    return this.end - this.position;
  }

  fail(reason: CorruptRecordBatchReason, detail: string): never {
    const where = this.recordIndex >= 0 ? `record ${this.recordIndex}: ` : '';
    throw new CorruptRecordBatchError(reason, where + detail, this.baseOffset);
  }

  int8(what: string): number {
    if (this.position >= this.end) this.fail('truncated', `${what} runs past the end`);
    const b = this.buf[this.position++]!;
    return (b << 24) >> 24;
  }

  /** A zigzag int32 of at most 5 bytes; a fifth byte with bits beyond 32 is an overflow. */
  varint(what: string): number {
    const buf = this.buf;
    const end = this.end;
    let p = this.position;
    let z = 0;
    for (let shift = 0; ; shift += 7) {
      if (p >= end) this.fail('truncated', `${what} runs past the end`);
      const b = buf[p++]!;
      if (shift === 28) {
        if (b > 0x0f) this.fail('varint-overflow', `${what} is longer than 5 bytes or exceeds 32 bits`);
        z = (z | (b << 28)) >>> 0;
        break;
      }
      z |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    this.position = p;
    return (z >>> 1) ^ -(z & 1);
  }

  /** A zigzag int64 of at most 10 bytes, as a number: values beyond ±2^53 are refused. */
  varlong(what: string): number {
    const buf = this.buf;
    const end = this.end;
    let p = this.position;
    let z = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= end) this.fail('truncated', `${what} runs past the end`);
      const b = buf[p++]!;
      z |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.position = p;
        return (z >>> 1) ^ -(z & 1);
      }
    }
    let wide = BigInt(z);
    for (let shift = 28n; shift < 70n; shift += 7n) {
      if (p >= end) this.fail('truncated', `${what} runs past the end`);
      const b = buf[p++]!;
      wide |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        if (wide >= 1n << 64n) break;
        const value = Number((wide >> 1n) ^ -(wide & 1n));
        if (!Number.isSafeInteger(value)) this.fail('varint-overflow', `${what} ${value} is beyond ±2^53`);
        this.position = p;
        return value;
      }
    }
    this.fail('varint-overflow', `${what} is longer than 10 bytes or exceeds 64 bits`);
  }

  private length(what: string, nullable: boolean): number {
    const length = this.varint(`${what} length`);
    if (length < 0) {
      if (length === -1 && nullable) return -1;
      this.fail('negative-length', `${what} length ${length}`);
    }
    if (length > this.end - this.position) {
      this.fail('truncated', `${what} length ${length} exceeds the ${this.end - this.position} bytes left`);
    }
    return length;
  }

  /** Varint length (-1 for null), then the bytes, as a view. */
  nullableBytes(what: string): Buffer | null {
    const length = this.length(what, true);
    if (length === -1) return null;
    const at = this.position;
    this.position = at + length;
    return this.buf.subarray(at, at + length);
  }

  /** Varint length (never null), then UTF-8. */
  string(what: string): string {
    const length = this.length(what, false);
    const at = this.position;
    this.position = at + length;
    return this.buf.toString('utf8', at, at + length);
  }
}
