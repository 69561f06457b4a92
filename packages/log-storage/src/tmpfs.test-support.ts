import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'vitest';

/** A real, small tmpfs the test can fill up and grow: a full disk as the kernel reports it. */
export interface Tmpfs {
  readonly path: string;
  /** Remounts with a new size (space returns, or goes). */
  resize(size: string): void;
  /** Bytes free, as statfs reports them. */
  freeBytes(): number;
}

/**
 * Mounts a tmpfs of `size` (e.g. '256k') for the test and unmounts it after.
 * Where mounting is impossible (no root, no mount(8)) the test is skipped
 * with the reason printed.
 */
export async function withTmpfs(ctx: TestContext, size: string, test: (fs: Tmpfs) => Promise<void>): Promise<void> {
  const path = mkdtempSync(join(tmpdir(), 'kstream-tmpfs-'));
  try {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path], { stdio: 'pipe' });
    } catch (error) {
      console.log(`${ctx.task.name} skipped: cannot mount a tmpfs here (${String((error as Error).message).split('\n')[0]})`);
      ctx.skip();
      return;
    }
    try {
      await test({
        path,
        resize: (newSize) => execFileSync('mount', ['-o', `remount,size=${newSize}`, path]),
        freeBytes: () => {
          const stats = statfsSync(path);
          return stats.bavail * stats.bsize;
        },
      });
    } finally {
      execFileSync('umount', ['--lazy', path]);
    }
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}
