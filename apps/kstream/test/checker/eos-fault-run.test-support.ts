// One exactly-once fault run, start to verdict: a 3-broker node; an input
// topic of 6 partitions (RF 3, min.insync.replicas=2) pre-filled with
// `records` uniquely numbered records and read back; an output topic of 6
// partitions; the group's offsets set to the input's start; `workers`
// consume-transform-produce workers (eos-worker) running while the EOS
// nemesis crashes the transaction coordinator's broker, the group
// coordinator's and partition leaders (or the kinds asked for). Then
// everything healed, the workers left to finish the input (until the
// group's stable committed offsets reach every input partition's end, or
// they stop making progress), stopped, every output transaction ended (last
// stable offset = high watermark), the output read by a fresh read_committed
// consumer (and kafkajs's, for comparison) and raw from the leaders (the
// markers applied by hand),
// the group's committed offsets read, and the EOS
// checker's verdict with its summary.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTempDir, removeDir } from '../../src/cluster.test-support.js';
import { LogCapture } from '../../src/log-capture.test-support.js';
import { kafkaClient } from '../kafkajs-client.test-support.js';
import { checkEos, type EosCheckResult } from './eos-checker.test-support.js';
import { EosHistoryRecorder, inputValue, parseInputValue, type EosFinalState, type EosHistory, type InputRecord, type OutputRecord } from './eos-history.test-support.js';
import { EosNemesis, FREEZE_MS, type EosNemesisKind } from './eos-nemesis.test-support.js';
import { COORDINATOR_KEY_TRANSACTION, CoordinatorClient } from './eos-offsets.test-support.js';
import { readCommitted, readCommittedWithKafkajs, readOutputLog } from './eos-output-reader.test-support.js';
import { eosFaultTimeline, summarizeEos } from './eos-summary.test-support.js';
import { EosWorker, type EosWorkerOptions } from './eos-worker.test-support.js';
import { createTopic, FAULT_RUN_BROKER_CONFIG, FAULT_RUN_BROKERS, FAULT_RUN_PARTITIONS, settle, startFaultNode } from './fault-run.test-support.js';
import { readServedPartition } from './final-state-reader.test-support.js';
import { HistoryRecorder } from './history.test-support.js';
import { untilNoOpenTransaction } from '../transactions.test-support.js';
import { ConnectionPool, LeaderDirectory, within } from './raw-cluster.test-support.js';

export interface EosFaultRunOptions {
  readonly seed: number;
  readonly faults: number;
  readonly records: number;
  readonly workers: number;
  /** Input records per transaction at most (a fetched batch is cut into runs of this many). */
  readonly recordsPerTransaction?: number;
  readonly kinds?: readonly EosNemesisKind[];
  /** The faults in this order instead of drawn from `kinds` (`faults` is then ignored). */
  readonly sequence?: readonly EosNemesisKind[];
  readonly log?: (line: string) => void;
  /** Keep the data dir, with the run's history as history.json (always kept when the checker finds a violation). */
  readonly keepDataDir?: boolean;
}

export interface EosFaultRunResult {
  readonly history: EosHistory;
  readonly final: EosFinalState;
  readonly result: EosCheckResult;
  readonly summary: string;
  /** The group's stable committed offsets reached every input partition's end. */
  readonly drained: boolean;
  readonly dataDir: string | null;
}

/** The replication run's settings; groups that settle within a second; small __consumer_offsets and __transaction_state; timed-out transactions aborted within a second or two. */
export const EOS_RUN_BROKER_CONFIG: Readonly<Record<string, string>> = {
  ...FAULT_RUN_BROKER_CONFIG,
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '1000',
  'offsets.topic.num.partitions': '6',
  'transaction.state.log.num.partitions': '6',
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': '1000',
};

const WORKER_TIMEOUTS = {
  transactionTimeoutMs: 10_000,
  sessionTimeoutMs: 6_000,
  rebalanceTimeoutMs: 10_000,
  heartbeatIntervalMs: 500,
  requestTimeoutMs: 5_000,
  operationTimeoutMs: 15_000,
} as const;
const REQUEST_TIMEOUT_MS = 4_000;
const SETTLE_TIMEOUT_MS = 20_000;
/** The workers are given up on when the group's committed offsets have not moved for this long after the faults healed and the ISRs filled. */
const STALL_TIMEOUT_MS = 60_000;
/** An open transaction ends within its timeout (10 s) and the coordinator's next check (1 s) after the workers stop. */
const OPEN_TRANSACTION_TIMEOUT_MS = 30_000;
/** Reading the output back: a minute, and 2 ms more per record. */
const readTimeoutMs = (records: number): number => 60_000 + 2 * records;
const PREFILL_BATCH = 500;

export async function runEosFaults(options: EosFaultRunOptions): Promise<EosFaultRunResult> {
  const log = options.log ?? (() => {});
  log(`seed=${options.seed} faults=${options.faults} records=${options.records} workers=${options.workers} workload=eos`);
  const inputTopic = `eos-in-${options.seed}`;
  const outputTopic = `eos-out-${options.seed}`;
  const recorder = new EosHistoryRecorder(new HistoryRecorder(options.seed, inputTopic), outputTopic, `eos-${options.seed}`);
  const seconds = (): string => `${(recorder.now() / 1000).toFixed(1)} s`;
  const dataDir = await makeTempDir('eos-faults');
  const nodeLog = new LogCapture();
  const cluster = await startFaultNode(dataDir, EOS_RUN_BROKER_CONFIG, nodeLog);
  let stopped = false;
  const workers: EosWorker[] = [];
  const pool = new ConnectionPool((id) => cluster.brokers.find((b) => b.id === id)!.port);
  try {
    await createTopic(cluster.bootstrap, inputTopic);
    await createTopic(cluster.bootstrap, outputTopic);
    const inputLeaders = new LeaderDirectory(pool, FAULT_RUN_BROKERS, inputTopic);
    const outputLeaders = new LeaderDirectory(pool, FAULT_RUN_BROKERS, outputTopic);
    for (const leaders of [inputLeaders, outputLeaders]) {
      const unsettled = await settle(leaders, SETTLE_TIMEOUT_MS);
      if (unsettled.length > 0) throw new Error(`${leaders.topic}: partitions ${unsettled.join(', ')} without a full ISR ${SETTLE_TIMEOUT_MS} ms after creation`);
    }
    recorder.inputs = await prefill(cluster.bootstrap, pool, inputLeaders, options.records);
    const inputEnds = new Map<number, bigint>(Array.from({ length: FAULT_RUN_PARTITIONS }, (_, p) => [p, BigInt(recorder.inputs.filter((i) => i.partition === p).length)]));
    const coordinators = new CoordinatorClient(pool, FAULT_RUN_BROKERS, REQUEST_TIMEOUT_MS);
    // Offset 0 committed for every input partition before any worker joins, so kafkajs never commits a default offset of its own.
    await coordinators.commitOffsets(recorder.group, inputTopic, [...inputEnds.keys()], 0n, Date.now() + SETTLE_TIMEOUT_MS);
    log(`node started, ${options.records} records in ${inputTopic}, group offsets at 0, at ${seconds()}`);

    const transactionalIdPrefix = `eos-${options.seed}`;
    const workerOptions = (name: string): EosWorkerOptions => ({
      name,
      bootstrap: cluster.bootstrap,
      group: recorder.group,
      inputTopic,
      outputTopic,
      transactionalIdPrefix,
      recordsPerTransaction: options.recordsPerTransaction ?? 20,
      outputPartitions: FAULT_RUN_PARTITIONS,
      coordinators,
      ...WORKER_TIMEOUTS,
    });
    for (let i = 1; i <= options.workers; i++) workers.push(await EosWorker.start(workerOptions(`worker-${i}`), recorder));

    const committedThrough = (): Map<number, bigint> => {
      const through = new Map<number, bigint>();
      for (const t of recorder.transactions) {
        if (t.outcome?.kind === 'committed' && t.committedOffset > (through.get(t.inputPartition) ?? 0n)) through.set(t.inputPartition, t.committedOffset);
      }
      return through;
    };
    const allCommitted = (): boolean => {
      const through = committedThrough();
      return [...inputEnds].every(([p, end]) => (through.get(p) ?? 0n) >= end);
    };
    await sleep(1_000);
    const nemesis = new EosNemesis(cluster.control, recorder.base, {
      seed: options.seed,
      faults: options.faults,
      brokers: FAULT_RUN_BROKERS,
      ...(options.kinds === undefined ? {} : { kinds: options.kinds }),
      ...(options.sequence === undefined ? {} : { sequence: options.sequence }),
      transactionCoordinator: async (random) => {
        const transactionalId = `${transactionalIdPrefix}-${random.below(FAULT_RUN_PARTITIONS)}`;
        const broker = await coordinators.coordinator(transactionalId, COORDINATOR_KEY_TRANSACTION);
        return broker === undefined ? undefined : { broker, transactionalId };
      },
      groupCoordinator: () => coordinators.coordinator(recorder.group, 0),
      partitionLeader: async (random) => {
        const leaders = random.chance(0.5) ? inputLeaders : outputLeaders;
        const partition = random.below(FAULT_RUN_PARTITIONS);
        await leaders.refresh();
        const broker = leaders.leader(partition);
        return broker === undefined ? undefined : { broker, partition: `${leaders.topic}-${partition}` };
      },
      freezeWorker: (random) => {
        const worker = random.pick(workers);
        worker.freeze(FREEZE_MS);
        return worker.name;
      },
      done: allCommitted,
      log,
    });
    await nemesis.run();
    await cluster.control.healAll();
    const planned = options.sequence?.length ?? options.faults;
    log(`${nemesis.injected} faults done at ${seconds()}${nemesis.injected < planned ? ' (the workers had finished the input)' : ''}; healed all`);
    const unsettled = [
      ...(await settle(inputLeaders, SETTLE_TIMEOUT_MS)).map((p) => `${inputTopic}-${p}`),
      ...(await settle(outputLeaders, SETTLE_TIMEOUT_MS)).map((p) => `${outputTopic}-${p}`),
    ];
    log(`ISRs ${unsettled.length === 0 ? 'full' : `not full on ${unsettled.join(', ')}`} at ${seconds()}`);

    const drained = await untilDrained(coordinators, recorder.group, inputTopic, inputEnds, log, seconds);
    await stopWorkers(workers, log);
    log(`${drained ? 'input drained' : `the workers made no progress for ${STALL_TIMEOUT_MS} ms`}; workers stopped at ${seconds()}`);

    const stableEnds = await untilNoOpenTransaction(pool, outputLeaders, FAULT_RUN_PARTITIONS, OPEN_TRANSACTION_TIMEOUT_MS);
    const committedOutput = await readCommitted(cluster.bootstrap, outputTopic, stableEnds, readTimeoutMs(options.records));
    const kafkajsCommittedOutput = await readCommittedWithKafkajs(cluster.bootstrap, `${recorder.group}-check`, outputTopic, stableEnds, readTimeoutMs(options.records));
    const logCommittedOutput: OutputRecord[] = [];
    let storedOutputRecords = 0;
    for (let p = 0; p < FAULT_RUN_PARTITIONS; p++) {
      const outputLog = await readOutputLog(pool, outputLeaders, p, REQUEST_TIMEOUT_MS);
      logCommittedOutput.push(...outputLog.committed);
      storedOutputRecords += outputLog.stored;
    }
    const groupOffsets = await coordinators.stableOffsets(recorder.group, inputTopic, [...inputEnds.keys()], Date.now() + SETTLE_TIMEOUT_MS);
    log(`output read (${committedOutput.length} records visible of ${storedOutputRecords} stored) at ${seconds()}`);
    pool.close();
    stopped = true;
    await cluster.stop();

    const history = recorder.history();
    const final: EosFinalState = { committedOutput, kafkajsCommittedOutput, logCommittedOutput, storedOutputRecords, groupOffsets, inputEnds };
    const result = checkEos(history, final);
    const failed = result.violations.length > 0 || !drained;
    const summary = [
      summarizeEos(history, final, result),
      ...(drained ? [] : [`drain: the group's committed offsets had not reached the input's end, and had not moved for ${STALL_TIMEOUT_MS} ms (seed=${options.seed})`]),
      ...(failed ? ['fault timeline:', ...eosFaultTimeline(history)] : []),
    ].join('\n');
    const keep = options.keepDataDir === true || failed;
    if (keep) {
      await writeFile(
        join(dataDir, 'history.json'),
        JSON.stringify(history, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)),
      );
      log(`data dir kept, the run's history in ${join(dataDir, 'history.json')}`);
    } else await removeDir(dataDir);
    return { history, final, result, summary, drained, dataDir: keep ? dataDir : null };
  } catch (error) {
    (error as Error).message = `seed=${options.seed}: ${(error as Error).message}\nlast node log lines:\n${nodeLog.lines.slice(-20).join('\n')}`;
    await stopWorkers(workers, log);
    pool.close();
    if (!stopped) await cluster.stop().catch(() => {});
    await removeDir(dataDir);
    throw error;
  }
}

/** How long a worker's kafkajs clients get to disconnect (a disconnect waits for the batch in hand). */
const WORKER_STOP_TIMEOUT_MS = 30_000;

/** Stops every worker; one whose kafkajs clients never disconnect is logged and left, so the run still ends and its cluster stops. */
async function stopWorkers(workers: readonly EosWorker[], log: (line: string) => void): Promise<void> {
  const results = await Promise.allSettled(workers.map((w) => within(w.stop(), WORKER_STOP_TIMEOUT_MS, `${w.name}'s stop`)));
  for (const r of results) if (r.status === 'rejected') log(`${(r.reason as Error).message}; left running`);
}

/**
 * Writes input ids 0..records-1 (id i to partition i mod 6, acks=all, before any fault) and reads the input back from
 * the leaders: each id must be there exactly once, since the checker counts outputs per id.
 */
async function prefill(bootstrap: string, pool: ConnectionPool, leaders: LeaderDirectory, records: number): Promise<InputRecord[]> {
  const producer = kafkaClient(bootstrap, 'eos-prefill').producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let from = 0; from < records; from += PREFILL_BATCH) {
      const ids = Array.from({ length: Math.min(PREFILL_BATCH, records - from) }, (_, i) => from + i);
      await producer.send({ topic: leaders.topic, acks: -1, messages: ids.map((id) => ({ key: String(id), value: inputValue(id), partition: id % FAULT_RUN_PARTITIONS })) });
    }
  } finally {
    await producer.disconnect();
  }
  const inputs: InputRecord[] = [];
  for (let p = 0; p < FAULT_RUN_PARTITIONS; p++) {
    for (const r of (await readServedPartition(pool, leaders, p)).log) {
      const id = parseInputValue(r.value);
      if (id === null) throw new Error(`${leaders.topic}-${p}@${r.offset}: ${JSON.stringify(r.value)} is not an input`);
      inputs.push({ partition: p, offset: r.offset, id });
    }
  }
  const ids = new Set(inputs.map((i) => i.id));
  if (inputs.length !== records || ids.size !== records) {
    throw new Error(`the input topic holds ${inputs.length} records with ${ids.size} distinct ids after writing ids 0..${records - 1} once each`);
  }
  return inputs;
}

/** Waits until the group's stable committed offsets reach every input partition's end; false once they have not moved for STALL_TIMEOUT_MS. */
async function untilDrained(
  coordinators: CoordinatorClient,
  group: string,
  topic: string,
  ends: ReadonlyMap<number, bigint>,
  log: (line: string) => void,
  seconds: () => string,
): Promise<boolean> {
  let last = '';
  let movedAt = Date.now();
  let reportedAt = Date.now();
  for (;;) {
    try {
      const offsets = await coordinators.stableOffsets(group, topic, [...ends.keys()], Date.now() + 5_000);
      if ([...ends].every(([p, end]) => offsets.get(p) === end)) return true;
      const now = [...ends.keys()].map((p) => `p${p} ${offsets.get(p)}/${ends.get(p)}`).join(', ');
      if (now !== last) {
        last = now;
        movedAt = Date.now();
      }
      if (Date.now() - reportedAt > 10_000) {
        log(`committed ${now} at ${seconds()}`);
        reportedAt = Date.now();
      }
    } catch {
      // No stable answer this time: the stall clock decides.
    }
    if (Date.now() - movedAt > STALL_TIMEOUT_MS) return false;
    await sleep(500);
  }
}
