// The end of an EOS run: the whole output read, up to offsets where no
// transaction is open, by a fresh read_committed kafkajs consumer, as a
// downstream application would see it, each record's value read back.
import { consumeUpTo } from '../transactions.test-support.js';
import { parseOutputValue, type OutputRecord } from './eos-history.test-support.js';

/** Every record of `topic` below `ends` as a fresh read_committed kafkajs consumer (group `group`, nothing committed) delivers them. */
export async function readCommitted(bootstrap: string, group: string, topic: string, ends: ReadonlyMap<number, bigint>, timeoutMs: number): Promise<OutputRecord[]> {
  return (await consumeUpTo(bootstrap, group, topic, ends, 'read_committed', timeoutMs)).map((r) => {
    const parsed = parseOutputValue(r.value);
    return { partition: r.partition, offset: r.offset, inputId: parsed?.inputId ?? -1, tag: parsed?.tag ?? `unparsable ${JSON.stringify(r.value)}` };
  });
}
