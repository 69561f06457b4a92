// npm run fuzz -- [--seed N] [--seconds S] [--requests N] [--check-every N] [--node-log FILE]
// The long run of the protocol fuzzer whose bounded run is CI's
// (apps/kstream/test/fuzz-cluster.test.ts): every API the brokers advertise,
// admin included, well-formed with edge values and as mutated frames, against
// a 3-broker node in a child process, with health checks between bursts.
// Default: 180 s from a random seed, printed first; a failure prints the
// command that replays it.
import { parseArgs } from 'node:util';
import { FuzzFailure, runFuzz } from '../../apps/kstream/test/fuzz-driver.test-support.js';
import { randomSeed } from '../../apps/kstream/test/fuzz-random.test-support.js';

const usage = 'usage: npm run fuzz -- [--seed N] [--seconds S] [--requests N] [--check-every N] [--node-log FILE]';

function count(name: string, text: string | undefined, fallback: number | undefined): number | undefined {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${name} ${JSON.stringify(text)}: a whole number of 0 or more, please\n${usage}`);
    process.exit(2);
  }
  return value;
}

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    seconds: { type: 'string' },
    requests: { type: 'string' },
    'check-every': { type: 'string' },
    'node-log': { type: 'string' },
  },
});
const requests = count('requests', values.requests, undefined);
const seconds = count('seconds', values.seconds, requests === undefined ? 180 : undefined);
const checkEvery = count('check-every', values['check-every'], 250);

try {
  const result = await runFuzz({
    seed: count('seed', values.seed, undefined) ?? randomSeed(),
    ...(requests === undefined ? {} : { requests }),
    ...(seconds === undefined ? {} : { seconds }),
    ...(checkEvery === undefined ? {} : { checkEvery }),
    ...(values['node-log'] === undefined ? {} : { nodeLogFile: values['node-log'] }),
    log: (line) => console.log(line),
  });
  console.log(`\n${result.summary.table()}`);
} catch (error) {
  if (!(error instanceof FuzzFailure)) throw error;
  console.error(`\n${error.message}`);
  process.exitCode = 1;
}
