// npm run bench -- actor [rounds]
// Round trips across a worker thread through @kstream/actor's Mailbox (msgpack
// frames, ids, timeouts), each beside the same echo over a bare MessagePort
// with structured clone, measured in the same run.

import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { Mailbox, spawnWorker } from '@kstream/actor';
import { measureMicros, measureRate, report } from '../harness.js';
import type { BenchMessage, BenchReplies } from './messages.js';

const fetch = (i: number): BenchMessage => ({ type: 'Fetch', topic: 'orders', partition: 3, offset: BigInt(i), maxBytes: 1 << 20 });

/** The bare-port baseline: one reply per message, in order, so replies are matched by arrival. */
function rawAsker(port: MessagePort) {
  const waiting: ((value: unknown) => void)[] = [];
  port.on('message', (value) => waiting.shift()!(value));
  return (msg: BenchMessage): Promise<unknown> =>
    new Promise((resolve) => {
      waiting.push(resolve);
      port.postMessage(msg);
    });
}

/** `count` asks with at most `window` in flight. */
async function pipelined(count: number, window: number, ask: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const lane = async () => {
    while (next < count) await ask(next++);
  };
  await Promise.all(Array.from({ length: window }, lane));
  return count;
}

export async function main(args: string[]): Promise<void> {
  const rounds = Number(args[0] ?? 7);
  const mailboxChannel = new MessageChannel();
  const rawChannel = new MessageChannel();
  const worker = spawnWorker(new URL('./echo-worker.ts', import.meta.url), {
    name: 'bench-echo',
    workerData: { mailboxPort: mailboxChannel.port2, rawPort: rawChannel.port2 },
    transferList: [mailboxChannel.port2, rawChannel.port2],
  });
  const mailbox = new Mailbox<never, BenchMessage, BenchReplies>(mailboxChannel.port1, { name: 'bench-echo' });
  const raw = rawAsker(rawChannel.port1);
  await mailbox.ask(fetch(0), { timeoutMs: 30_000 });

  try {
    const sequential = 5_000;
    const askSequential = await measureRate(() => pipelined(sequential, 1, (i) => mailbox.ask(fetch(i))), { rounds });
    const rawSequential = await measureRate(() => pipelined(sequential, 1, (i) => raw(fetch(i))), { rounds });
    const inFlight = 20_000;
    const askPipelined = await measureRate(() => pipelined(inFlight, 256, (i) => mailbox.ask(fetch(i))), { rounds });
    const rawPipelined = await measureRate(() => pipelined(inFlight, 256, (i) => raw(fetch(i))), { rounds });
    // After the rates, so that both sides are warm.
    const askLatency = await measureMicros(() => mailbox.ask(fetch(1)), { rounds: 2_001, warmup: 200 });
    const rawLatency = await measureMicros(() => raw(fetch(1)), { rounds: 2_001, warmup: 200 });

    // 1 MiB of records to the worker and back: the Mailbox moves the same
    // buffer both ways; the bare port clones it both ways.
    const size = 1 << 20;
    const trips = 100;
    let records: Uint8Array = new Uint8Array(size).fill(1);
    const askBytes = await measureRate(
      async () => {
        for (let i = 0; i < trips; i++) {
          records = await mailbox.ask({ type: 'Records', records }, { transfer: [records.buffer as ArrayBuffer] });
        }
        return (trips * 2 * size) / 1e6;
      },
      { rounds },
    );
    const rawBytes = await measureRate(
      async () => {
        for (let i = 0; i < trips; i++) await raw({ type: 'Records', records });
        return (trips * 2 * size) / 1e6;
      },
      { rounds },
    );

    report('actor: Mailbox round trips to a worker thread (median of rounds)', [
      { name: 'ask latency, Fetch-sized message', value: askLatency, unit: 'µs', baseline: { name: 'bare MessagePort', value: rawLatency } },
      { name: 'asks, one in flight', value: askSequential, unit: 'asks/s', baseline: { name: 'bare MessagePort', value: rawSequential } },
      { name: 'asks, 256 in flight', value: askPipelined, unit: 'asks/s', baseline: { name: 'bare MessagePort', value: rawPipelined } },
      { name: '1 MiB records there and back, transferred', value: askBytes, unit: 'MB/s', baseline: { name: 'bare MessagePort, cloned', value: rawBytes } },
    ]);
  } finally {
    mailbox.close();
    mailboxChannel.port1.close();
    rawChannel.port1.close();
    await worker.terminate();
  }
}
