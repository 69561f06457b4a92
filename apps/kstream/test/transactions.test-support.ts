// What the transaction tests share: a topic read whole by a fresh kafkajs
// consumer under read_committed or read_uncommitted (up to given end
// offsets, past control and aborted records, which kafkajs moves over
// without handing them out), each partition's high watermark, and the kafkajs
// error type a failed transactional call carries.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { kafkaClient } from './kafkajs-client.test-support.js';

export interface ConsumedRecord {
  readonly partition: number;
  readonly offset: bigint;
  readonly key: string | null;
  readonly value: string;
}

export type Isolation = 'read_committed' | 'read_uncommitted';

/**
 * Every record of `topic` below `ends` (partition → end offset) as a fresh kafkajs consumer of group `group` delivers
 * it under `isolation`, each offset once, in partition and offset order; fails after `timeoutMs` naming how far
 * each partition got.
 */
export async function consumeUpTo(
  bootstrap: string,
  group: string,
  topic: string,
  ends: ReadonlyMap<number, bigint>,
  isolation: Isolation,
  timeoutMs = 20_000,
): Promise<ConsumedRecord[]> {
  const records = new Map<string, ConsumedRecord>();
  const position = new Map<number, bigint>();
  const done = (): boolean => [...ends].every(([p, end]) => end === 0n || (position.get(p) ?? 0n) >= end);
  if (done()) return [];
  const consumer = kafkaClient(bootstrap, group).consumer({ groupId: group, readUncommitted: isolation === 'read_uncommitted', maxWaitTimeInMs: 200, allowAutoTopicCreation: false });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const next = BigInt(payload.lastOffset) + 1n;
    if (next > (position.get(payload.partition) ?? 0n)) position.set(payload.partition, next);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const offset = BigInt(m.offset);
          if (offset >= (ends.get(batch.partition) ?? 0n)) continue;
          records.set(`${batch.partition}:${offset}`, { partition: batch.partition, offset, key: m.key?.toString() ?? null, value: m.value?.toString() ?? '' });
        }
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) {
        const where = [...ends].map(([p, end]) => `p${p} ${position.get(p) ?? 0n}/${end}`).join(', ');
        throw new Error(`a ${isolation} consumer of ${topic} had not reached its end offsets ${timeoutMs} ms after it started: ${where}`);
      }
      await sleep(50);
    }
  } finally {
    await consumer.disconnect();
  }
  return [...records.values()].sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset));
}

/** Each partition's high watermark, as kafkajs's admin reads it. */
export async function highWatermarks(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
}

/** The values consumed, in partition and offset order. */
export function valuesOf(records: readonly ConsumedRecord[]): string[] {
  return records.map((r) => r.value);
}

/** A kafkajs call's error type (kafkajs's name for the Kafka error code), or its class name when it has none; 'none' when it resolved. */
export async function errorTypeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'none';
  } catch (error) {
    const e = error as { type?: string; name?: string; cause?: { type?: string } };
    return e.type ?? e.cause?.type ?? e.name ?? 'Error';
  }
}
