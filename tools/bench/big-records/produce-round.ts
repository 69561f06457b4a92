// One round of kcat producing the big records into a fresh node: started as
// users start it, a 1-partition RF 1 topic, kcat timed from its start to its
// exit (it exits once every record is acknowledged), the node's CPU time read
// from /proc around the run, the high watermark checked, the node stopped
// with SIGTERM and its data removed (its dirty pages with it).
import { rm } from 'node:fs/promises';
import { Admin } from '@kstream/client';
import { runKcat } from '../kcat.js';
import { kcatProduceArgs } from '../client/kcat-ceiling.js';
import type { Window } from './cpu-profile-summary.js';
import { startKstream } from './kstream-process.js';
import { processCpuSeconds, reapedChildrenCpuSeconds, threadCpuSeconds } from './proc-cpu.js';

const TOPIC = 'big-records';

/**
 * librdkafka settings that let it send big batches: up to 1,000,000 bytes
 * (its batch.size default, under the broker's 1 MiB message.max.bytes) after
 * waiting up to 5 ms for them (linger.ms), no compression.
 */
export const KCAT_BATCHING = ['-X', 'linger.ms=5', '-X', 'batch.size=1000000', '-X', 'batch.num.messages=10000', '-X', 'compression.codec=none'];

export interface ProduceRound {
  seconds: number;
  /** The node process's CPU seconds during the kcat run: all threads, then its main thread and its busiest other thread. */
  nodeCpu: { total: number; main: number; busiestOther: number };
  /** kcat's CPU seconds (its shell pipeline's included). */
  kcatCpu: number;
  /** The run on the monotonic clock, to pick its samples out of CPU profiles. */
  window: Window;
}

export interface ProduceRoundOptions {
  readonly input: string;
  readonly records: number;
  readonly dataDir: string;
  readonly profileDir?: string;
  readonly onLog: (level: 'warn' | 'error', msg: string) => void;
}

const quietClient = { debug() {}, info() {}, warn() {}, error() {} };

function micros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export async function produceRound({ input, records, dataDir, profileDir, onLog }: ProduceRoundOptions): Promise<ProduceRound> {
  const node = await startKstream({ dataDir, brokers: 1, onLog, ...(profileDir === undefined ? {} : { profileDir }) });
  try {
    const admin = new Admin({ bootstrap: node.bootstrap, clientId: 'bench-big-records', logger: quietClient });
    try {
      await admin.createTopics([{ topic: TOPIC, numPartitions: 1, replicationFactor: 1 }]);
      const threadsBefore = threadCpuSeconds(node.pid);
      const nodeBefore = processCpuSeconds(node.pid);
      const kcatBefore = reapedChildrenCpuSeconds();
      const fromMicros = micros();
      const { seconds } = await runKcat([...kcatProduceArgs(node.bootstrap, TOPIC, 1, input), ...KCAT_BATCHING]);
      const toMicros = micros();
      const kcatCpu = reapedChildrenCpuSeconds() - kcatBefore;
      const total = processCpuSeconds(node.pid) - nodeBefore;
      const threads = [...threadCpuSeconds(node.pid)].map(([tid, cpu]) => [tid, cpu - (threadsBefore.get(tid) ?? 0)] as const);
      const main = threads.find(([tid]) => tid === node.pid)?.[1] ?? 0;
      const busiestOther = Math.max(0, ...threads.filter(([tid]) => tid !== node.pid).map(([, cpu]) => cpu));
      const [latest] = await admin.listOffsets([{ topic: TOPIC, partition: 0, spec: 'latest' }]);
      if (latest?.offset !== BigInt(records)) throw new Error(`${TOPIC}-0: kcat produced ${records} records, the high watermark is ${latest?.offset}`);
      return { seconds, nodeCpu: { total, main, busiestOther }, kcatCpu, window: { fromMicros, toMicros } };
    } finally {
      await admin.close();
    }
  } finally {
    await node.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
