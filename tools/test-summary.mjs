// The closing line of `npm test`: every package's vitest results added up,
// "tests: N passed, N failed, N skipped", with the share of the client's second
// run on Node 24 (the test-node24 targets, tools/node24.mjs) named beside it.
// Exits 1 if any failed or none ran.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const total = { passed: 0, failed: 0, skipped: 0 };
const node24 = { passed: 0, failed: 0, skipped: 0, reports: 0 };

function add(sum, result) {
  sum.passed += result.numPassedTests;
  sum.failed += result.numFailedTests;
  sum.skipped += result.numPendingTests + result.numTodoTests;
}

for (const group of ['packages', 'apps', 'tools']) {
  for (const project of readdirSync(join(root, group))) {
    // The report files the test and test-node24 targets name (vitest.shared.ts, KSTREAM_VITEST_RESULTS).
    for (const name of ['vitest-results.json', 'vitest-results-node24.json']) {
      const file = join(root, group, project, 'tmp', name);
      if (!existsSync(file)) continue;
      const result = JSON.parse(readFileSync(file, 'utf8'));
      add(total, result);
      if (name === 'vitest-results-node24.json') {
        add(node24, result);
        node24.reports += 1;
      }
    }
  }
}

const counts = (sum) => `${sum.passed} passed, ${sum.failed} failed, ${sum.skipped} skipped`;
const node24Share = node24.reports === 0 ? '' : ` (of which on Node 24: ${counts(node24)})`;
console.log(`tests: ${counts(total)}${node24Share}`);
process.exit(total.failed > 0 || total.passed === 0 ? 1 : 0);
