import { ProtocolDecodeError } from './protocol-error.js';
import { formatUuid } from './uuid.js';

/** Buffer's per-encoding slice methods: present on every Node Buffer, absent from @types/node. */
interface NodeBufferSlices {
  utf8Slice(start: number, end: number): string;
}

/**
 * Reads Kafka's primitive types from a Buffer, big-endian, between `offset`
 * and `end`. It never reads past `end` and never trusts a length: a short
 * read, a negative non-null length, a length or array count larger than the
 * remaining bytes could hold and an over-long varint each throw a
 * ProtocolDecodeError, located by the reader's path trail and context. Bytes, strings and records are views or copies of the
 * frame as documented per method; nothing is allocated ahead of a length
 * check.
 */
export class ByteReader {
  offset: number;
  end: number;
  /**
   * Where a schema decoder is in the message, kept so a failure can name its
   * field path without a try/catch at every level: `pathNames[d]` holds the
   * member names of the struct open at depth d (null for an array) and
   * `pathAt[d]` the member or element being read there.
   */
  depth = 0;
  readonly pathNames: (readonly string[] | null)[] = [];
  readonly pathAt: number[] = [];
  /** The message being read ("Fetch v12 request"), set by its decoder, for error messages. */
  context = '';

  constructor(
    readonly buf: Buffer,
    offset = 0,
    end = buf.length,
  ) {
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(bytes: number, what: string): number {
    const at = this.offset;
    if (bytes > this.end - at) throw this.error(`${what} needs ${bytes} bytes, ${this.end - at} left`);
    this.offset = at + bytes;
    return at;
  }

  // Fixed-width reads compose bytes directly: Buffer's readInt32BE and kin
  // re-validate the offset on every call, which `need` has already done.
  int8(): number {
    return (this.buf[this.need(1, 'int8')]! << 24) >> 24;
  }

  bool(): boolean {
    return this.buf[this.need(1, 'bool')] !== 0;
  }

  int16(): number {
    const at = this.need(2, 'int16');
    const buf = this.buf;
    return ((buf[at]! << 24) >> 16) | buf[at + 1]!;
  }

  uint16(): number {
    const at = this.need(2, 'uint16');
    const buf = this.buf;
    return (buf[at]! << 8) | buf[at + 1]!;
  }

  int32(): number {
    const at = this.need(4, 'int32');
    const buf = this.buf;
    return (buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!;
  }

  uint32(): number {
    const at = this.need(4, 'uint32');
    const buf = this.buf;
    return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
  }

  int64(): bigint {
    return this.buf.readBigInt64BE(this.need(8, 'int64'));
  }

  float64(): number {
    return this.buf.readDoubleBE(this.need(8, 'float64'));
  }

  /** 8-4-4-4-12 lower-case hex. */
  uuid(): string {
    const at = this.need(16, 'uuid');
    return formatUuid(this.buf, at);
  }

  /** An unsigned 32-bit varint of at most 5 bytes; bits beyond 32 in the fifth byte are dropped, as Kafka does. */
  unsignedVarint(): number {
    const buf = this.buf;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.offset >= this.end) throw this.error('varint runs past the end of the message');
      const b = buf[this.offset++]!;
      value |= (b & 0x7f) << shift;
      if (b < 0x80) return value >>> 0;
    }
    throw this.error('varint longer than 5 bytes');
  }

  /** A zigzag-encoded signed 32-bit varint. */
  varint(): number {
    const z = this.unsignedVarint();
    return (z >>> 1) ^ -(z & 1);
  }

  /** A zigzag-encoded signed 64-bit varint of at most 10 bytes. */
  varlong(): bigint {
    const buf = this.buf;
    const first = this.offset < this.end ? buf[this.offset]! : 0x80;
    if (first < 0x80) {
      this.offset++;
      return BigInt((first >>> 1) ^ -(first & 1));
    }
    let z = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.offset >= this.end) throw this.error('varlong runs past the end of the message');
      const b = buf[this.offset++]!;
      z |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        z = BigInt.asUintN(64, z);
        return BigInt.asIntN(64, (z >> 1n) ^ -(z & 1n));
      }
    }
    throw this.error('varlong longer than 10 bytes');
  }

  private length(length: number, nullable: boolean, what: string): number {
    if (length < 0) {
      if (length === -1 && nullable) return -1;
      throw this.error(length === -1 ? `null ${what} where the field is not nullable` : `negative ${what} length ${length}`);
    }
    if (length > this.end - this.offset) {
      throw this.error(`${what} length ${length} exceeds the ${this.end - this.offset} bytes left`);
    }
    return length;
  }

  private utf8(length: number): string {
    const at = this.offset;
    this.offset = at + length;
    // utf8Slice skips toString's argument handling; it is what toString('utf8') calls.
    return (this.buf as Buffer & NodeBufferSlices).utf8Slice(at, at + length);
  }

  /** int16 length, then UTF-8. */
  string(): string {
    return this.utf8(this.length(this.int16(), false, 'string'));
  }

  nullableString(): string | null {
    const length = this.length(this.int16(), true, 'string');
    return length === -1 ? null : this.utf8(length);
  }

  /** Unsigned varint of length + 1, then UTF-8. */
  compactString(): string {
    return this.utf8(this.length(this.unsignedVarint() - 1, false, 'string'));
  }

  compactNullableString(): string | null {
    const length = this.length(this.unsignedVarint() - 1, true, 'string');
    return length === -1 ? null : this.utf8(length);
  }

  /** A view of `length` bytes of the frame, not a copy: the frame stays alive while the view does. */
  private view(length: number): Buffer {
    const at = this.offset;
    this.offset = at + length;
    return this.buf.subarray(at, at + length);
  }

  /** int32 length, then the bytes (a view of the frame). */
  bytes(): Buffer {
    return this.view(this.length(this.int32(), false, 'bytes'));
  }

  nullableBytes(): Buffer | null {
    const length = this.length(this.int32(), true, 'bytes');
    return length === -1 ? null : this.view(length);
  }

  compactBytes(): Buffer {
    return this.view(this.length(this.unsignedVarint() - 1, false, 'bytes'));
  }

  compactNullableBytes(): Buffer | null {
    const length = this.length(this.unsignedVarint() - 1, true, 'bytes');
    return length === -1 ? null : this.view(length);
  }

  /**
   * An array's element count (int32; compact: unsigned varint of count + 1),
   * -1 for null. `minElementBytes` (at least 1) is the smallest encoding of
   * one element, so a count the remaining bytes cannot hold fails here,
   * before anything is allocated or looped over.
   */
  arrayLength(compact: boolean, nullable: boolean, minElementBytes: number): number {
    const count = compact ? this.unsignedVarint() - 1 : this.int32();
    if (count < 0) {
      if (count === -1 && nullable) return -1;
      throw this.error(count === -1 ? 'null array where the field is not nullable' : `negative array length ${count}`);
    }
    if (count * minElementBytes > this.end - this.offset) {
      throw this.error(`array length ${count} exceeds the ${this.end - this.offset} bytes left`);
    }
    return count;
  }

  /** A decode error at the current position, naming the field path and the message: built whole so it is thrown once. */
  error(reason: string): ProtocolDecodeError {
    return new ProtocolDecodeError(reason, this.path(), this.context);
  }

  /** The field path the schema decoder had reached, e.g. "topics[0].partitions". */
  path(): string {
    let path = '';
    for (let d = 0; d < this.depth; d++) {
      const names = this.pathNames[d];
      const at = this.pathAt[d]!;
      // -1: in the struct's tagged-field section, not in one of its fields.
      if (at < 0) break;
      if (names === null || names === undefined) path += `[${at}]`;
      else path += path === '' ? names[at] : `.${names[at]}`;
    }
    return path;
  }

  skip(bytes: number): void {
    this.need(bytes, 'skipped field');
  }

  /** Skips a whole tagged-field section (count, then tag, size and data per field), e.g. a header's. */
  skipTaggedFields(): void {
    const count = this.unsignedVarint();
    for (let i = 0; i < count; i++) {
      this.unsignedVarint();
      const size = this.unsignedVarint();
      if (size > this.end - this.offset) {
        throw this.error(`tagged field size ${size} exceeds the ${this.end - this.offset} bytes left`);
      }
      this.offset += size;
    }
  }
}
