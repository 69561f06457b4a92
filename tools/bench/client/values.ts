// The benchmark's record values: `valueBytes` bytes whose first four hold a
// number (little-endian), so a reader can tell every record apart and the
// latency run can find when it was sent.

export function numberedValue(n: number, valueBytes: number): Buffer {
  const value = Buffer.alloc(valueBytes, 'v');
  value.writeUInt32LE(n, 0);
  return value;
}

export function valueNumber(value: Buffer): number {
  return value.readUInt32LE(0);
}
