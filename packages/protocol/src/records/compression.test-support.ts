// Record-like data for compression tests: somewhat compressible, as produced
// JSON events are, rather than all zeros or pure noise.
export function realisticRecords(bytes: number, seed = 1): Buffer {
  const parts: string[] = [];
  let size = 0;
  let state = seed;
  const next = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state;
  };
  for (let i = 0; size < bytes; i++) {
    const line = `{"id":${i},"user":"user-${next() % 5000}","event":"${['click', 'view', 'purchase', 'signup'][next() % 4]}","amount":${(next() % 100_000) / 100},"ts":${1_700_000_000_000 + next()}}\n`;
    parts.push(line);
    size += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, bytes);
}
