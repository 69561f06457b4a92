import type { Logger } from '@kstream/actor';

/** A Logger that keeps each entry as `LEVEL message`, for tests to assert on (and to keep expected warnings off stderr). */
export function recordingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (msg) => void lines.push(`INFO ${msg}`),
    warn: (msg) => void lines.push(`WARN ${msg}`),
    error: (msg) => void lines.push(`ERROR ${msg}`),
  };
}
