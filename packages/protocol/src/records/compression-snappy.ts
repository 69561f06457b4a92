import type { CompressionCodec } from './compression.js';

// Kafka's Java producer writes snappy through snappy-java's
// SnappyOutputStream: the "xerial" framing, an 8-byte magic, an int32 version
// and an int32 minimum compatible version (both 1), then blocks of at most
// 32 KiB of input, each an int32 length and a raw snappy block. kafkajs and
// some other clients write one raw snappy block instead, so decompression
// accepts both, told apart by the magic (a raw block starts with a varint of
// its length, never 0x82 'SNAPPY' 0).

// The native module loads on first use: a broker worker that never meets a
// snappy batch does not pay for it at start.
let snappy: Promise<typeof import('snappy')> | undefined;
const loadSnappy = () => (snappy ??= import('snappy'));

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_VERSION = 1;
const XERIAL_MIN_COMPATIBLE_VERSION = 1;
const XERIAL_HEADER_SIZE = 16;
/** snappy-java's default block size, which Kafka does not change. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

function startsWithXerialMagic(data: Buffer, at: number): boolean {
  return data.length - at >= XERIAL_HEADER_SIZE && data.compare(XERIAL_MAGIC, 0, XERIAL_MAGIC.length, at, at + XERIAL_MAGIC.length) === 0;
}

async function compressXerial(data: Buffer): Promise<Buffer> {
  const { compress } = await loadSnappy();
  const blocks: Promise<Buffer>[] = [];
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_SIZE) {
    blocks.push(compress(data.subarray(at, at + XERIAL_BLOCK_SIZE)));
  }
  const compressed = await Promise.all(blocks);
  const out = Buffer.allocUnsafe(XERIAL_HEADER_SIZE + compressed.reduce((sum, block) => sum + 4 + block.length, 0));
  XERIAL_MAGIC.copy(out, 0);
  out.writeInt32BE(XERIAL_VERSION, 8);
  out.writeInt32BE(XERIAL_MIN_COMPATIBLE_VERSION, 12);
  let p = XERIAL_HEADER_SIZE;
  for (const block of compressed) {
    out.writeInt32BE(block.length, p);
    block.copy(out, p + 4);
    p += 4 + block.length;
  }
  return out;
}

async function uncompressBlock(block: Buffer): Promise<Buffer> {
  const { uncompress } = await loadSnappy();
  return (await uncompress(block, { asBuffer: true })) as Buffer;
}

/**
 * Reads a xerial stream; a second header where a block would start
 * (concatenated streams) is skipped, as snappy-java does. Every block length
 * is checked before any block is decompressed.
 */
async function decompressXerial(data: Buffer): Promise<Buffer> {
  const blocks: Buffer[] = [];
  let p = 0;
  while (p < data.length) {
    if (startsWithXerialMagic(data, p)) {
      p += XERIAL_HEADER_SIZE;
      continue;
    }
    if (data.length - p < 4) throw new Error(`snappy: xerial block length at byte ${p} is cut short`);
    const length = data.readInt32BE(p);
    if (length < 0 || length > data.length - p - 4) {
      throw new Error(`snappy: xerial block at byte ${p} claims ${length} bytes, ${data.length - p - 4} remain`);
    }
    blocks.push(data.subarray(p + 4, p + 4 + length));
    p += 4 + length;
  }
  return Buffer.concat(await Promise.all(blocks.map(uncompressBlock)));
}

export const snappyCodec: CompressionCodec = {
  name: 'snappy',
  compress: compressXerial,
  decompress: (data) => (startsWithXerialMagic(data, 0) ? decompressXerial(data) : uncompressBlock(data)),
};
