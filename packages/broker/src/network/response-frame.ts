import { ByteWriter, FRAME_SIZE_BYTES, messageCodec, responseHeaderVersion } from '@kstream/protocol';
import type { ApiSpec, ResponseOf } from '@kstream/protocol';

/**
 * Byte fields at least this long (Fetch's record batches) are not copied into
 * the frame: the frame is sent as its encoded parts with those Buffers between
 * them, one writev. Below it a copy is cheaper than another iovec.
 */
const GATHER_MIN_BYTES = 16 * 1024;

/**
 * A ByteWriter that leaves large byte values out of its buffer and notes
 * where they go, so a response frame becomes a list of parts. Inside a
 * size-prefixed value (a tagged field) the size is taken from the buffer, so
 * values there are copied as usual.
 */
class GatheringWriter extends ByteWriter {
  /** The external Buffers, each with the buffer offset it follows. */
  readonly gathered: { readonly at: number; readonly value: Uint8Array }[] = [];
  #sizedDepth = 0;

  override reset(): void {
    super.reset();
    this.gathered.length = 0;
    this.#sizedDepth = 0;
  }

  override beginSizePrefixed(): number {
    this.#sizedDepth++;
    return super.beginSizePrefixed();
  }

  override endSizePrefixed(mark: number): void {
    this.#sizedDepth--;
    super.endSizePrefixed(mark);
  }

  override bytes(value: Uint8Array): void {
    if (!this.#gather(value, false)) super.bytes(value);
  }

  override nullableBytes(value: Uint8Array | null): void {
    if (value === null || !this.#gather(value, false)) super.nullableBytes(value);
  }

  override compactBytes(value: Uint8Array): void {
    if (!this.#gather(value, true)) super.compactBytes(value);
  }

  override compactNullableBytes(value: Uint8Array | null): void {
    if (value === null || !this.#gather(value, true)) super.compactNullableBytes(value);
  }

  #gather(value: Uint8Array, compact: boolean): boolean {
    if (!(value instanceof Uint8Array) || value.length < GATHER_MIN_BYTES || this.#sizedDepth > 0) return false;
    if (compact) this.unsignedVarint(value.length + 1);
    else this.int32(value.length);
    this.gathered.push({ at: this.offset, value });
    return true;
  }
}

// Encoding is synchronous, so one writer serves every response of the broker's loop.
const writer = new GatheringWriter(64 * 1024);

/**
 * A response frame (size prefix, header, body) as the Buffers to write in
 * order: the encoded bytes, copied out once, with any large byte field left
 * as the handler's own Buffer between them. Throws ProtocolEncodeError for a
 * body the version cannot carry.
 */
export function encodeResponseFrame<A extends ApiSpec>(api: A, apiVersion: number, correlationId: number, body: ResponseOf<A>): Buffer[] {
  const codec = messageCodec(api, apiVersion, 'response');
  writer.reset();
  writer.int32(0);
  writer.int32(correlationId);
  if (responseHeaderVersion(api, apiVersion) === 1) writer.unsignedVarint(0);
  codec.encode(writer, body);
  let size = writer.offset - FRAME_SIZE_BYTES;
  for (const { value } of writer.gathered) size += value.length;
  writer.patchInt32(0, size);
  const encoded = writer.toBuffer();
  if (writer.gathered.length === 0) return [encoded];
  const parts: Buffer[] = [];
  let from = 0;
  for (const { at, value } of writer.gathered) {
    parts.push(encoded.subarray(from, at), Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.length));
    from = at;
  }
  if (from < encoded.length) parts.push(encoded.subarray(from));
  return parts;
}
