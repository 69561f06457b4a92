import { ProtocolEncodeError } from './protocol-error.js';
import { writeUuid } from './uuid.js';

const MAX_INT16 = 0x7fff;
const TWO_TO_32 = 2 ** 32;

function invalid(value: unknown, type: string): ProtocolEncodeError {
  if (value === null) return new ProtocolEncodeError(`null where a ${type} is required (the field is not nullable in this version)`);
  const shown = typeof value === 'bigint' ? `${value}n` : typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new ProtocolEncodeError(`${shown} is not a valid ${type}`);
}

/**
 * Writes Kafka's primitive types big-endian into a buffer that doubles when
 * full. One writer is meant to be reused (reset between messages) so a
 * steady stream of messages allocates only its results; `toBuffer()` copies
 * out exactly what was written. Every integer write checks the value fits
 * its type, so a handler's mistake is an error rather than silently
 * truncated bytes on the wire.
 */
export class ByteWriter {
  buf: Buffer;
  offset = 0;

  constructor(initialCapacity = 4096) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  reset(): void {
    this.offset = 0;
  }

  /** A copy of the bytes written since the last reset. */
  toBuffer(): Buffer {
    const out = Buffer.allocUnsafe(this.offset);
    this.buf.copy(out, 0, 0, this.offset);
    return out;
  }

  private reserve(bytes: number): number {
    const at = this.offset;
    if (at + bytes > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, at + bytes));
      this.buf.copy(grown, 0, 0, at);
      this.buf = grown;
    }
    this.offset = at + bytes;
    return at;
  }

  int8(value: number): void {
    if ((value << 24) >> 24 !== value) throw invalid(value, 'int8');
    const at = this.reserve(1);
    this.buf[at] = value;
  }

  bool(value: boolean): void {
    if (value !== true && value !== false) throw invalid(value, 'bool');
    const at = this.reserve(1);
    this.buf[at] = value ? 1 : 0;
  }

  int16(value: number): void {
    if ((value << 16) >> 16 !== value) throw invalid(value, 'int16');
    const at = this.reserve(2);
    this.buf[at] = value >>> 8;
    this.buf[at + 1] = value;
  }

  uint16(value: number): void {
    if ((value & 0xffff) !== value) throw invalid(value, 'uint16');
    const at = this.reserve(2);
    this.buf[at] = value >>> 8;
    this.buf[at + 1] = value;
  }

  int32(value: number): void {
    if ((value | 0) !== value) throw invalid(value, 'int32');
    this.put32(this.reserve(4), value);
  }

  uint32(value: number): void {
    if (value >>> 0 !== value) throw invalid(value, 'uint32');
    this.put32(this.reserve(4), value);
  }

  /** Overwrites 4 bytes written earlier, e.g. a size prefix once the size is known. */
  patchInt32(at: number, value: number): void {
    this.put32(at, value);
  }

  private put32(at: number, value: number): void {
    const buf = this.buf;
    buf[at] = value >>> 24;
    buf[at + 1] = value >>> 16;
    buf[at + 2] = value >>> 8;
    buf[at + 3] = value;
  }

  /** A bigint in int64 range; a safe-integer number is accepted too and written without a bigint. */
  int64(value: bigint | number): void {
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) throw invalid(value, 'int64');
      const at = this.reserve(8);
      this.put32(at, Math.floor(value / TWO_TO_32));
      this.put32(at + 4, value >>> 0);
      return;
    }
    if (typeof value !== 'bigint' || BigInt.asIntN(64, value) !== value) throw invalid(value, 'int64');
    const at = this.reserve(8);
    this.buf.writeBigInt64BE(value, at);
  }

  float64(value: number): void {
    if (typeof value !== 'number') throw invalid(value, 'float64');
    const at = this.reserve(8);
    this.buf.writeDoubleBE(value, at);
  }

  uuid(value: string): void {
    const at = this.reserve(16);
    writeUuid(this.buf, at, value);
  }

  unsignedVarint(value: number): void {
    if (value >>> 0 !== value) throw invalid(value, 'unsigned varint');
    let v = value;
    // Reserve before touching this.buf: reserve may replace it with a larger buffer.
    let at = this.reserve(v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5);
    const buf = this.buf;
    while (v >= 0x80) {
      buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[at] = v;
  }

  varint(value: number): void {
    if ((value | 0) !== value) throw invalid(value, 'varint');
    this.unsignedVarint(((value << 1) ^ (value >> 31)) >>> 0);
  }

  varlong(value: bigint): void {
    if (typeof value !== 'bigint' || BigInt.asIntN(64, value) !== value) throw invalid(value, 'varlong');
    let z = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
    while (z >= 0x80n) {
      const at = this.reserve(1);
      this.buf[at] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    const at = this.reserve(1);
    this.buf[at] = Number(z);
  }

  private utf8(value: string, compact: boolean): void {
    if (typeof value !== 'string') throw invalid(value, 'string');
    const length = Buffer.byteLength(value);
    if (length > MAX_INT16) throw new ProtocolEncodeError(`string of ${length} bytes exceeds the limit of ${MAX_INT16}`);
    if (compact) this.unsignedVarint(length + 1);
    else this.int16(length);
    const at = this.reserve(length);
    this.buf.write(value, at, length, 'utf8');
  }

  string(value: string): void {
    this.utf8(value, false);
  }

  nullableString(value: string | null): void {
    if (value === null) this.int16(-1);
    else this.utf8(value, false);
  }

  compactString(value: string): void {
    this.utf8(value, true);
  }

  compactNullableString(value: string | null): void {
    if (value === null) this.unsignedVarint(0);
    else this.utf8(value, true);
  }

  /** Raw bytes with no length prefix. */
  raw(value: Uint8Array): void {
    const at = this.reserve(value.length);
    this.buf.set(value, at);
  }

  private lengthPrefixed(value: Uint8Array, compact: boolean): void {
    if (!(value instanceof Uint8Array)) throw invalid(value, 'bytes (a Buffer)');
    if (compact) this.unsignedVarint(value.length + 1);
    else this.int32(value.length);
    this.raw(value);
  }

  bytes(value: Uint8Array): void {
    this.lengthPrefixed(value, false);
  }

  nullableBytes(value: Uint8Array | null): void {
    if (value === null) this.int32(-1);
    else this.lengthPrefixed(value, false);
  }

  compactBytes(value: Uint8Array): void {
    this.lengthPrefixed(value, true);
  }

  compactNullableBytes(value: Uint8Array | null): void {
    if (value === null) this.unsignedVarint(0);
    else this.lengthPrefixed(value, true);
  }

  /**
   * Starts a value whose unsigned-varint size must precede it but is known
   * only once it is written (a tagged field). Returns a mark for
   * `endSizePrefixed`, which writes the size and, when it needs more than
   * one byte, moves the value up to make room.
   */
  beginSizePrefixed(): number {
    return this.reserve(1);
  }

  endSizePrefixed(mark: number): void {
    const size = this.offset - mark - 1;
    if (size < 0x80) {
      this.buf[mark] = size;
      return;
    }
    let extra = 0;
    for (let v = size >>> 7; v >= 0x80; v >>>= 7) extra++;
    extra++;
    this.reserve(extra);
    this.buf.copyWithin(mark + 1 + extra, mark + 1, mark + 1 + size);
    const end = this.offset;
    this.offset = mark;
    this.unsignedVarint(size);
    this.offset = end;
  }

  /** An array's element count (int32; compact: unsigned varint of count + 1), or null. */
  arrayLength(count: number | null, compact: boolean): void {
    if (compact) this.unsignedVarint(count === null ? 0 : count + 1);
    else this.int32(count === null ? -1 : count);
  }
}
