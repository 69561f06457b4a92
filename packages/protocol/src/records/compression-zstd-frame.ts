// Walks the frames and block headers of zstd data (RFC 8878) without
// decompressing, to learn where each frame ends and how large its content can
// be. Kafka's Java producer streams zstd (zstd-jni's ZstdOutputStream), so its
// frames do not declare their content size, and a one-shot decompressor needs
// an output size up front: each block regenerates at most 128 KiB (a raw or
// RLE block exactly its declared size), which bounds the frame.

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const MAX_BLOCK_CONTENT = 128 * 1024;
const BLOCK_RAW = 0;
const BLOCK_RLE = 1;
const BLOCK_RESERVED = 3;

export interface ZstdFrame {
  start: number;
  end: number;
  /** The content size the header declares, or undefined when it does not. */
  declaredSize: number | undefined;
  /** An upper bound on the content size, from the block headers. */
  maxSize: number;
}

function cutShort(what: string, at: number): Error {
  return new Error(`zstd: ${what} at byte ${at} is cut short`);
}

function readFrame(data: Buffer, start: number): ZstdFrame {
  let p = start + 4;
  if (p >= data.length) throw cutShort('frame header', start);
  const descriptor = data[p++]!;
  const sizeFlag = descriptor >>> 6;
  const singleSegment = (descriptor & 0x20) !== 0;
  if (descriptor & 0x08) throw new Error(`zstd: frame at byte ${start} sets a reserved header bit`);
  const hasChecksum = (descriptor & 0x04) !== 0;
  const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 0x03]!;
  const sizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][sizeFlag]!;
  const headerRest = (singleSegment ? 0 : 1) + dictionaryIdBytes + sizeBytes;
  if (p + headerRest > data.length) throw cutShort('frame header', start);
  p += (singleSegment ? 0 : 1) + dictionaryIdBytes;
  let declaredSize: number | undefined;
  if (sizeBytes === 1) declaredSize = data[p];
  else if (sizeBytes === 2) declaredSize = data.readUInt16LE(p) + 256;
  else if (sizeBytes === 4) declaredSize = data.readUInt32LE(p);
  else if (sizeBytes === 8) declaredSize = Number(data.readBigUInt64LE(p));
  p += sizeBytes;

  let maxSize = 0;
  for (;;) {
    if (p + 3 > data.length) throw cutShort('block header', p);
    const blockHeader = data[p]! | (data[p + 1]! << 8) | (data[p + 2]! << 16);
    p += 3;
    const last = (blockHeader & 1) !== 0;
    const type = (blockHeader >>> 1) & 0x03;
    const size = blockHeader >>> 3;
    if (type === BLOCK_RESERVED) throw new Error(`zstd: block at byte ${p - 3} has the reserved block type`);
    const stored = type === BLOCK_RLE ? 1 : size;
    if (p + stored > data.length) throw cutShort('block', p - 3);
    p += stored;
    maxSize += type === BLOCK_RAW || type === BLOCK_RLE ? size : MAX_BLOCK_CONTENT;
    if (last) break;
  }
  if (hasChecksum) {
    if (p + 4 > data.length) throw cutShort('content checksum', p);
    p += 4;
  }
  return { start, end: p, declaredSize, maxSize: declaredSize ?? maxSize };
}

/** The zstd frames in `data`, skippable frames left out; throws when the data is not whole zstd frames. */
export function zstdFrames(data: Buffer): ZstdFrame[] {
  const frames: ZstdFrame[] = [];
  let p = 0;
  while (p < data.length) {
    if (p + 4 > data.length) throw cutShort('frame magic', p);
    const magic = data.readUInt32LE(p);
    if (magic === ZSTD_MAGIC) {
      const frame = readFrame(data, p);
      frames.push(frame);
      p = frame.end;
    } else if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (p + 8 > data.length) throw cutShort('skippable frame', p);
      const size = data.readUInt32LE(p + 4);
      if (p + 8 + size > data.length) throw cutShort('skippable frame', p);
      p += 8 + size;
    } else {
      throw new Error(`zstd: no frame magic at byte ${p} (found 0x${magic.toString(16)})`);
    }
  }
  if (frames.length === 0) throw new Error('zstd: no frame in the data');
  return frames;
}
