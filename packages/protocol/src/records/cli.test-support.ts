// The lz4 and zstd command-line tools: the reference C libraries (liblz4,
// libzstd) that librdkafka and Kafka's JNI codecs wrap, used as independent
// codecs in tests. Where a tool is missing, tests skip and say so.
import { execFileSync, spawnSync } from 'node:child_process';

/** Why `command` cannot be used here, or undefined when it can. */
export function missingCommand(command: string): string | undefined {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0 ? undefined : `the '${command}' command (reference lib${command}) is not installed`;
}

/** Runs `command` with `input` on stdin; its stdout. */
export function runCommand(command: string, args: readonly string[], input: Buffer): Buffer {
  return execFileSync(command, args, { input, maxBuffer: 64 << 20 });
}
