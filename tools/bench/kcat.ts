// kcat (librdkafka) as the benchmarks drive it: an input file of one record
// per line, and a run timed from start to exit.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

const ALPHABET = Buffer.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
const CHUNK_BYTES = 4 * 1024 * 1024;

/** `records` lines of `recordBytes` printable bytes each (newline excluded), every one distinct: kcat -P -l reads one record a line. */
export async function writeRecordLines(path: string, records: number, recordBytes: number): Promise<void> {
  if (recordBytes < 12) throw new RangeError(`records need at least 12 bytes for their number, got ${recordBytes}`);
  const line = recordBytes + 1;
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / line));
  const out = createWriteStream(path);
  for (let start = 0; start < records; start += perChunk) {
    const count = Math.min(perChunk, records - start);
    const chunk = Buffer.allocUnsafe(count * line);
    for (let i = 0; i < count; i++) {
      const at = i * line;
      chunk.write(String(start + i).padStart(12, '0'), at, 'latin1');
      for (let b = 12; b < recordBytes; b++) chunk[at + b] = ALPHABET[(start + i + b * 7) % ALPHABET.length]!;
      chunk[at + recordBytes] = 0x0a;
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export interface KcatResult {
  seconds: number;
  /** Lines kcat wrote to stdout, counted by `wc -l`: one per consumed record. */
  lines: number;
}

/**
 * Runs kcat to completion with its output counted by `wc -l` in the same
 * pipeline, timing it; fails with its stderr if it fails. Counting here would
 * put every consumed byte through this process's main thread, where the
 * controller runs: it halved the consume rate.
 */
export async function runKcat(args: readonly string[]): Promise<KcatResult> {
  const start = process.hrtime.bigint();
  const child = spawn('bash', ['-o', 'pipefail', '-c', 'kcat "$@" | wc -l', 'bash', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-4000)));
  const [code] = (await once(child, 'close')) as [number | null];
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (code !== 0) throw new Error(`kcat ${args.join(' ')} exited ${code}:\n${stderr}`);
  return { seconds, lines: Number(stdout.trim()) };
}
