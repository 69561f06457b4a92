import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh log directory, removed after the test. */
export function tempLogDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kstream-log-'));
  made.push(dir);
  return dir;
}

export const TOPIC = 'orders';
export const PARTITION = 0;
/** The partition directory inside a log dir. */
export function partitionDir(logDir: string): string {
  return join(logDir, `${TOPIC}-${PARTITION}`);
}
