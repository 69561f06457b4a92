// Zigzag varints as records use them (Kafka's ByteUtils.writeVarint /
// writeVarlong), written straight into a pre-sized Buffer: the record encoder
// sizes a whole batch first, then writes it without allocating. Varlongs are
// JS numbers here: a record's timestamp delta is milliseconds, and any delta a
// producer writes fits a safe integer; values beyond ±2^53 are refused rather
// than rounded.

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

/** Bytes the zigzag varint of the int32 `value` takes. */
export function varintSize(value: number): number {
  const z = ((value << 1) ^ (value >> 31)) >>> 0;
  if (z < 0x80) return 1;
  if (z < 0x4000) return 2;
  if (z < 0x200000) return 3;
  if (z < 0x10000000) return 4;
  return 5;
}

/** Writes the zigzag varint of the int32 `value` at `position`; returns the position after it. */
export function writeVarint(buf: Uint8Array, position: number, value: number): number {
  let z = ((value << 1) ^ (value >> 31)) >>> 0;
  while (z >= 0x80) {
    buf[position++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[position++] = z;
  return position;
}

function zigzag64(value: number): bigint {
  const v = BigInt(value);
  return BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
}

/** Bytes the zigzag varlong of the safe integer `value` takes. */
export function varlongSize(value: number): number {
  if (value >= INT32_MIN && value <= INT32_MAX) return varintSize(value);
  let z = zigzag64(value);
  let size = 1;
  while (z >= 0x80n) {
    z >>= 7n;
    size++;
  }
  return size;
}

/** Writes the zigzag varlong of the safe integer `value` at `position`; returns the position after it. */
export function writeVarlong(buf: Uint8Array, position: number, value: number): number {
  if (value >= INT32_MIN && value <= INT32_MAX) return writeVarint(buf, position, value);
  let z = zigzag64(value);
  while (z >= 0x80n) {
    buf[position++] = Number(z & 0x7fn) | 0x80;
    z >>= 7n;
  }
  buf[position++] = Number(z);
  return position;
}
