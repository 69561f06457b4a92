import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Every package's tests run against its siblings' source (the "@kstream/source"
// export condition), so no build is needed before `npm test`.
const conditions = ['@kstream/source', 'node', 'import', 'module', 'default'];

export function packageTestConfig(options: { testTimeout?: number; maxWorkers?: number } = {}) {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@kstream/source'] } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 20_000,
      hookTimeout: 30_000,
      pool: 'forks',
      // Vitest's default is one fork per core but one: a single fork on a 2-core machine.
      ...(options.maxWorkers === undefined ? {} : { maxWorkers: options.maxWorkers }),
      // The JSON report (an Nx output of the test target, so cached runs keep it)
      // feeds tools/test-summary.mjs, the closing "N passed, N failed" line of `npm test`.
      // A second run of the same tests (test-node24) names its own file.
      reporters: ['default', ['json', { outputFile: resolve(process.cwd(), process.env.KSTREAM_VITEST_RESULTS ?? 'tmp/vitest-results.json') }]],
    },
  });
}
