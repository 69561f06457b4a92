// Valid frames for every version of an API, with the positions of their
// length fields recorded, and a mutator that breaks them the ways a hostile
// or buggy peer would: bit flips, truncation, garbage appended, lengths and
// counts set to huge, negative or off-by-one values, plain random bytes.
import fc from 'fast-check';
import { ByteWriter } from '../primitives/byte-writer.js';
import { messageCodec } from '../schema/codec.js';
import { structArbitrary } from '../schema/schema-arbitrary.test-support.js';
import type { ApiSpec } from '../schema/schema-types.js';
import { versionsIn } from '../schema/versions.js';
import { finishFrame, startFrame } from './frame-size.js';
import { requestHeaderVersion, writeRequestHeader } from './request-header.js';
import { responseHeaderVersion } from './response-header.js';

type LengthWidth = 'int16' | 'int32' | 'uvarint';

interface LengthField {
  readonly at: number;
  readonly width: LengthWidth;
}

export interface SeedFrame {
  readonly kind: 'request' | 'response';
  readonly version: number;
  readonly frame: Buffer;
  readonly lengths: readonly LengthField[];
}

/** A ByteWriter that notes where each length prefix and array count goes. */
class LengthRecordingWriter extends ByteWriter {
  readonly lengths: LengthField[] = [];

  private note(width: LengthWidth): void {
    this.lengths.push({ at: this.offset, width });
  }

  override string(value: string): void {
    this.note('int16');
    super.string(value);
  }
  override nullableString(value: string | null): void {
    this.note('int16');
    super.nullableString(value);
  }
  override compactString(value: string): void {
    this.note('uvarint');
    super.compactString(value);
  }
  override compactNullableString(value: string | null): void {
    this.note('uvarint');
    super.compactNullableString(value);
  }
  override bytes(value: Uint8Array): void {
    this.note('int32');
    super.bytes(value);
  }
  override nullableBytes(value: Uint8Array | null): void {
    this.note('int32');
    super.nullableBytes(value);
  }
  override compactBytes(value: Uint8Array): void {
    this.note('uvarint');
    super.compactBytes(value);
  }
  override compactNullableBytes(value: Uint8Array | null): void {
    this.note('uvarint');
    super.compactNullableBytes(value);
  }
  override arrayLength(count: number | null, compact: boolean): void {
    this.note(compact ? 'uvarint' : 'int32');
    super.arrayLength(count, compact);
  }
  override beginSizePrefixed(): number {
    this.note('uvarint');
    return super.beginSizePrefixed();
  }
}

/** `perVersion` valid request and response frames for each version of `api`, drawn from its schema. */
export function seedFrames(api: ApiSpec, perVersion: number, seed: number): SeedFrame[] {
  const seeds: SeedFrame[] = [];
  for (const version of versionsIn(api.validVersions)) {
    for (const kind of ['request', 'response'] as const) {
      const codec = messageCodec(api, version, kind);
      const bodies = fc.sample(structArbitrary(kind === 'request' ? api.request : api.response, version), { numRuns: perVersion, seed });
      for (const body of bodies) {
        if (kind === 'request') {
          seeds.push(requestSeedFrame(api, version, 1, body));
          continue;
        }
        const w = new LengthRecordingWriter(256);
        const at = startFrame(w);
        w.int32(1);
        if (responseHeaderVersion(api, version) === 1) w.unsignedVarint(0);
        codec.encode(w, body);
        finishFrame(w, at);
        seeds.push({ kind, version, frame: w.toBuffer(), lengths: w.lengths });
      }
    }
  }
  return seeds;
}

/** A request frame of `body` with its length fields noted, for `mutate`. */
export function requestSeedFrame(api: ApiSpec, version: number, correlationId: number, body: Record<string, unknown>): SeedFrame {
  const w = new LengthRecordingWriter(256);
  const at = startFrame(w);
  writeRequestHeader(w, { apiKey: api.apiKey, apiVersion: version, correlationId, clientId: 'fuzz' }, requestHeaderVersion(api, version));
  messageCodec(api, version, 'request').encode(w, body);
  finishFrame(w, at);
  return { kind: 'request', version, frame: w.toBuffer(), lengths: w.lengths };
}

/** xorshift32: fast, seedable, good enough to choose mutations. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

const HUGE: Record<LengthWidth, readonly number[]> = {
  int16: [0x7fff, -2, -0x8000],
  int32: [0x7fffffff, -2, -0x80000000, 0x10000],
  uvarint: [0xffffffff, 0x80000000, 0x7fffffff, 0],
};

function varintBytes(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

function varintLength(buf: Buffer, at: number, end: number): number {
  let i = at;
  while (i < end && i - at < 5 && buf[i]! >= 0x80) i++;
  return Math.min(i - at + 1, end - at);
}

/**
 * Writes a mutation of `seed` into `out` (at least seed length + 64 bytes)
 * and returns the mutated frame's length. `apiKey` makes random frames look
 * like requests of the API under test, so they reach its decoders.
 */
export function mutate(seed: SeedFrame, out: Buffer, random: () => number, apiKey: number): number {
  let length = seed.frame.copy(out, 0);
  const mutations = 1 + (random() % 3);
  for (let m = 0; m < mutations; m++) {
    const payload = length - 4;
    switch (random() % 7) {
      case 0: // bit flips
        if (payload > 0) out[4 + (random() % payload)]! ^= 1 << (random() % 8);
        break;
      case 1: // truncation
        length = 4 + (payload > 0 ? random() % payload : 0);
        break;
      case 2: // garbage appended
        for (let n = 1 + (random() % 16); n > 0 && length < out.length; n--) out[length++] = random() & 0xff;
        break;
      case 3: // a run of 0xff / 0x80 / 0x00, as lengths and varints go wrong
        if (payload > 0) {
          const fill = [0xff, 0x80, 0x00][random() % 3]!;
          const at = 4 + (random() % payload);
          for (let i = at; i < Math.min(length, at + 1 + (random() % 5)); i++) out[i] = fill;
        }
        break;
      case 4: // random frame
        length = 4 + (random() % 64);
        for (let i = 4; i < length; i++) out[i] = random() & 0xff;
        if (seed.kind === 'request' && length >= 8) {
          out.writeInt16BE(apiKey, 4);
          out.writeInt16BE(seed.version, 6);
        }
        break;
      default: {
        // a length field or array count set huge, negative, null or off by one
        const field = seed.lengths[random() % Math.max(1, seed.lengths.length)];
        if (field === undefined || field.at + 4 > length) break;
        const choices = HUGE[field.width];
        const offByOne = random() % 3 === 0;
        if (field.width === 'int16') {
          const value = offByOne ? out.readInt16BE(field.at) + (random() % 2 ? 1 : -1) : choices[random() % choices.length]!;
          out.writeInt16BE((value << 16) >> 16, field.at);
        } else if (field.width === 'int32') {
          const value = offByOne ? out.readInt32BE(field.at) + (random() % 2 ? 1 : -1) : choices[random() % choices.length]!;
          out.writeInt32BE(value | 0, field.at);
        } else {
          const old = varintLength(out, field.at, length);
          const replacement = varintBytes(offByOne ? out[field.at]! + 1 : choices[random() % choices.length]!);
          const tail = out.subarray(field.at + old, length);
          const moved = Buffer.from(tail);
          out.set(replacement, field.at);
          const tailAt = field.at + replacement.length;
          const room = Math.min(moved.length, out.length - tailAt);
          moved.copy(out, tailAt, 0, room);
          length = tailAt + room;
        }
      }
    }
  }
  // Mostly keep the size prefix honest so the mutation reaches the body decoders.
  if (random() % 8 !== 0) out.writeInt32BE(length - 4, 0);
  return length;
}
