// npm run faults -- [--workload replication|groups|eos] [--seed N] [--faults 100] [--client own|kafkajs] [--producers N] [--members N] [--records N] [--workers N] [--txn-records N] [--kinds crash,pause,...] [--keep-data]
// The long runs of the checkers whose short runs are CI's:
// - replication (the default; apps/kstream/test/replication-checker.test.ts):
//   RF 3, min.insync.replicas=2, acks=all producers and fetching consumers on
//   6 partitions while the nemesis injects one fault at a time;
// - groups (apps/kstream/test/groups-checker.test.ts): an acks=all producer
//   and a group of kafkajs members committing after each batch, while the
//   group nemesis also crashes the coordinator's broker and kills members;
//   a fresh member drains at the end;
// - eos (apps/kstream/test/eos-checker.test.ts): an input pre-filled with
//   --records uniquely numbered records, --workers kafkajs
//   consume-transform-produce workers (read_committed consumer, a
//   transaction per --txn-records input records with their offsets) while the EOS nemesis also
//   crashes the transaction coordinator's broker, the group coordinator's
//   and partition leaders; a fresh read_committed consumer reads the output
//   and the EOS checker holds it to exactly once.
// Prints the seed first and the summary last; exits 1 on a violation.
import { parseArgs } from 'node:util';
import { runFaults } from '../../apps/kstream/test/checker/fault-run.test-support.js';
import type { FaultKind } from '../../apps/kstream/test/checker/history.test-support.js';
import { GROUP_FAULT_KINDS, type GroupNemesisKind } from '../../apps/kstream/test/checker/group-nemesis.test-support.js';
import { runGroupFaults } from '../../apps/kstream/test/checker/group-fault-run.test-support.js';
import { FAULT_KINDS } from '../../apps/kstream/test/checker/nemesis.test-support.js';
import { randomSeed } from '../../apps/kstream/test/fuzz-random.test-support.js';
import { runEosFaults } from '../../apps/kstream/test/checker/eos-fault-run.test-support.js';
import { EOS_FAULT_KINDS, type EosNemesisKind } from '../../apps/kstream/test/checker/eos-nemesis.test-support.js';

const usage = [
  `usage: npm run faults -- [--workload replication] [--seed N] [--faults 100] [--client own|kafkajs] [--producers 3] [--kinds ${FAULT_KINDS.join(',')}] [--keep-data]`,
  `       npm run faults -- --workload groups [--seed N] [--faults 100] [--members 3] [--kinds ${GROUP_FAULT_KINDS.join(',')}] [--keep-data]`,
  `       npm run faults -- --workload eos [--seed N] [--faults 100] [--records 100000] [--workers 3] [--txn-records 100] [--kinds ${EOS_FAULT_KINDS.join(',')}] [--keep-data]`,
].join('\n');

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
    workload: { type: 'string' },
    members: { type: 'string' },
    records: { type: 'string' },
    workers: { type: 'string' },
    'txn-records': { type: 'string' },
    seed: { type: 'string' },
    faults: { type: 'string' },
    client: { type: 'string' },
    producers: { type: 'string' },
    kinds: { type: 'string' },
    'keep-data': { type: 'boolean' },
  },
});
const workload = values.workload ?? 'replication';
if (workload !== 'replication' && workload !== 'groups' && workload !== 'eos') fail(`--workload ${JSON.stringify(workload)}: replication, groups or eos`);
if (workload !== 'eos' && (values.records !== undefined || values.workers !== undefined || values['txn-records'] !== undefined))
  fail("--records, --workers and --txn-records are the eos workload's");
const seed = count('seed', values.seed, randomSeed());
const faults = count('faults', values.faults, 100);
const keepDataDir = values['keep-data'] === true;
const log = (line: string): void => console.log(line);

if (workload === 'eos') {
  if (values.client !== undefined || values.producers !== undefined || values.members !== undefined) fail("--client, --producers and --members are not the eos workload's");
  const kinds = values.kinds?.split(',') as EosNemesisKind[] | undefined;
  const unknownKind = kinds?.find((k) => !EOS_FAULT_KINDS.includes(k));
  if (unknownKind !== undefined) fail(`--kinds: no eos fault ${JSON.stringify(unknownKind)}`);
  const records = count('records', values.records, 100_000);
  if (records === 0) fail('--records: at least 1');
  const recordsPerTransaction = Math.max(1, count('txn-records', values['txn-records'], 100));
  const run = await runEosFaults({
    seed,
    faults,
    records,
    workers: Math.max(1, count('workers', values.workers, 3)),
    recordsPerTransaction,
    ...(kinds === undefined ? {} : { kinds }),
    keepDataDir,
    log,
  });
  console.log(`\n${run.summary}`);
  if (run.result.violations.length > 0 || !run.drained) process.exitCode = 1;
} else if (workload === 'groups') {
  if (values.client !== undefined || values.producers !== undefined) fail("--client and --producers are the replication workload's; groups has one own producer");
  const kinds = values.kinds?.split(',') as GroupNemesisKind[] | undefined;
  const unknownKind = kinds?.find((k) => !GROUP_FAULT_KINDS.includes(k));
  if (unknownKind !== undefined) fail(`--kinds: no groups fault ${JSON.stringify(unknownKind)}`);
  const run = await runGroupFaults({ seed, faults, members: count('members', values.members, 3), ...(kinds === undefined ? {} : { kinds }), keepDataDir, log });
  console.log(`\n${run.summary}`);
  if (run.result.violations.length > 0 || !run.drained) process.exitCode = 1;
} else {
  if (values.members !== undefined) fail("--members is the groups workload's");
  const client = values.client ?? 'own';
  if (client !== 'own' && client !== 'kafkajs') fail(`--client ${JSON.stringify(client)}: own or kafkajs`);
  const kinds = values.kinds?.split(',') as FaultKind[] | undefined;
  const unknownKind = kinds?.find((k) => !FAULT_KINDS.includes(k));
  if (unknownKind !== undefined) fail(`--kinds: no fault ${JSON.stringify(unknownKind)}`);
  const run = await runFaults({ seed, faults, client, producers: count('producers', values.producers, 3), ...(kinds === undefined ? {} : { kinds }), keepDataDir, log });
  console.log(`\n${run.summary}`);
  if (run.result.violations.length > 0) process.exitCode = 1;
}
