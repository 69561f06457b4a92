// npm run faults -- [--seed N] [--faults 100] [--client own|kafkajs] [--producers N] [--kinds crash,pause,...] [--keep-data]
// The long run of the acknowledged-write checker whose short run is CI's
// (apps/kstream/test/replication-checker.test.ts): RF 3, min.insync.replicas=2,
// acks=all producers and fetching consumers on 6 partitions while the
// nemesis injects one fault at a time, then the checker's verdict.
// Prints the seed first and the summary last; exits 1 on a violation.
import { parseArgs } from 'node:util';
import { runFaults } from '../../apps/kstream/test/checker/fault-run.test-support.js';
import type { FaultKind } from '../../apps/kstream/test/checker/history.test-support.js';
import { FAULT_KINDS } from '../../apps/kstream/test/checker/nemesis.test-support.js';
import { randomSeed } from '../../apps/kstream/test/fuzz-random.test-support.js';

const usage = `usage: npm run faults -- [--seed N] [--faults 100] [--client own|kafkajs] [--producers 3] [--kinds ${FAULT_KINDS.join(',')}] [--keep-data]`;

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

function count(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) fail(`--${name} ${JSON.stringify(text)}: a whole number of 0 or more, please`);
  return value;
}

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    faults: { type: 'string' },
    client: { type: 'string' },
    producers: { type: 'string' },
    kinds: { type: 'string' },
    'keep-data': { type: 'boolean' },
  },
});
const client = values.client ?? 'own';
if (client !== 'own' && client !== 'kafkajs') fail(`--client ${JSON.stringify(client)}: own or kafkajs`);
const kinds = values.kinds?.split(',') as FaultKind[] | undefined;
const unknownKind = kinds?.find((k) => !FAULT_KINDS.includes(k));
if (unknownKind !== undefined) fail(`--kinds: no fault ${JSON.stringify(unknownKind)}`);

const run = await runFaults({
  seed: count('seed', values.seed, randomSeed()),
  faults: count('faults', values.faults, 100),
  client,
  producers: count('producers', values.producers, 3),
  ...(kinds === undefined ? {} : { kinds }),
  keepDataDir: values['keep-data'] === true,
  log: (line) => console.log(line),
});
console.log(`\n${run.summary}`);
if (run.result.violations.length > 0) process.exitCode = 1;
