// Random sequences of fencing, registration, AlterPartition, controlled
// shutdown and ElectLeaders, through a real controller, keep the
// invariants of leadership: checked on the state after every event, and on
// every PartitionRecord of the metadata log at the end of a run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MetadataRecord, PartitionRecord, PartitionState } from '@kstream/metadata';
import { Controller } from './controller.js';
import { quiet } from './controller.test-support.js';
import { MetadataLog } from './metadata-log.js';

const BROKERS = [1, 2, 3, 4];
const PARTITIONS = 4;

type Event =
  | { readonly kind: 'fence'; readonly broker: number }
  | { readonly kind: 'register'; readonly broker: number }
  | { readonly kind: 'shutdown'; readonly broker: number }
  | { readonly kind: 'alter'; readonly partition: number; readonly keep: readonly boolean[]; readonly staleEpoch: boolean }
  | { readonly kind: 'elect'; readonly partition: number; readonly electionType: 'preferred' | 'unclean' };

const broker = fc.constantFrom(...BROKERS);
const partition = fc.integer({ min: 0, max: PARTITIONS - 1 });
const event: fc.Arbitrary<Event> = fc.oneof(
  fc.record({ kind: fc.constant('fence' as const), broker }),
  fc.record({ kind: fc.constant('register' as const), broker }),
  fc.record({ kind: fc.constant('shutdown' as const), broker }),
  fc.record({ kind: fc.constant('alter' as const), partition, keep: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), staleEpoch: fc.boolean() }),
  fc.record({ kind: fc.constant('elect' as const), partition, electionType: fc.constantFrom('preferred' as const, 'unclean' as const) }),
);
const assignment = fc.shuffledSubarray(BROKERS, { minLength: 3, maxLength: 3 });

async function run(unclean: boolean, assignments: number[][], events: Event[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kstream-elections-'));
  const shuttingDown = new Set<number>();
  try {
    const controller = await Controller.open({
      dir,
      logger: quiet,
      staticBrokerConfig: { 'unclean.leader.election.enable': String(unclean), 'auto.leader.rebalance.enable': 'false' },
    });
    try {
      for (const brokerId of BROKERS) await controller.handle({ type: 'BrokerRegistration', brokerId, host: 'h', port: brokerId });
      await controller.handle({
        type: 'CreateTopics',
        topics: [
          { name: 't', numPartitions: -1, replicationFactor: -1, assignments: assignments.map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds })), configs: [] },
        ],
        validateOnly: false,
      });
      const state = controller.metadata;
      const { topicId } = state.topicByName('t')!;
      const epoch = (id: number) => state.broker(id)!.brokerEpoch;
      for (const e of events) {
        const before = state.topicByName('t')!.partitions.map((p) => ({ ...p }));
        switch (e.kind) {
          case 'fence':
            await controller.detachBroker(e.broker, 'test');
            break;
          case 'register':
            shuttingDown.delete(e.broker);
            await controller.handle({ type: 'BrokerRegistration', brokerId: e.broker, host: 'h', port: e.broker });
            break;
          case 'shutdown': {
            const reply = await controller.handle({ type: 'ControlledShutdown', brokerId: e.broker, brokerEpoch: epoch(e.broker) });
            if (reply.errorCode === 0) shuttingDown.add(e.broker);
            break;
          }
          case 'alter': {
            const p = state.partition('t', e.partition)!;
            const asker = p.leader === -1 ? p.replicas[0]! : p.leader;
            const newIsr = [asker, ...p.replicas.filter((r, i) => r !== asker && e.keep[i])];
            const skew = e.staleEpoch ? 1 : 0;
            await controller.handle({
              type: 'AlterPartition',
              brokerId: asker,
              brokerEpoch: epoch(asker),
              partitions: [{ topicId, partition: e.partition, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch - skew, newIsr }],
            });
            break;
          }
          case 'elect':
            await controller.handle({ type: 'ElectLeaders', electionType: e.electionType, topicPartitions: [{ topic: 't', partitions: [e.partition] }] });
            break;
        }
        const eligible = (id: number) => state.broker(id)?.fenced === false && !shuttingDown.has(id);
        for (const p of state.topicByName('t')!.partitions) checkState(p, (id) => state.broker(id)?.fenced === false, eligible, unclean, e);
        // An unclean election only when the topic allows it, or an admin asks for one (ElectLeaders unclean, as in Kafka).
        if (!unclean && !(e.kind === 'elect' && e.electionType === 'unclean')) {
          for (const p of state.topicByName('t')!.partitions) {
            const was = before[p.partition]!;
            if (p.leader !== was.leader && p.leader !== -1) expect(was.isr, `t-${p.partition} after ${JSON.stringify(e)}`).toContain(p.leader);
          }
        }
      }
    } finally {
      await controller.close();
    }
    checkLog(await readLog(dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function checkState(p: PartitionState, alive: (id: number) => boolean, eligible: (id: number) => boolean, unclean: boolean, after: Event): void {
  const where = `t-${p.partition} after ${JSON.stringify(after)}: ${JSON.stringify(p)}`;
  expect(p.isr.length, where).toBeGreaterThan(0);
  expect(new Set(p.isr).size, where).toBe(p.isr.length);
  expect(
    p.isr.every((r) => p.replicas.includes(r)),
    where,
  ).toBe(true);
  if (p.leader !== -1) {
    expect(p.isr, where).toContain(p.leader);
    expect(alive(p.leader), where).toBe(true);
  } else {
    // Elections happen whenever they can: a leaderless partition has no one to elect.
    expect(p.isr.some(eligible), where).toBe(false);
    if (unclean) expect(p.replicas.some(eligible), where).toBe(false);
  }
}

function checkLog(records: readonly MetadataRecord[]): void {
  const last = new Map<number, PartitionRecord>();
  for (const record of records) {
    if (record.type !== 'Partition') continue;
    const before = last.get(record.partition);
    last.set(record.partition, record);
    if (before === undefined) continue;
    const where = `${JSON.stringify(before)} -> ${JSON.stringify(record)}`;
    expect(record.partitionEpoch, where).toBe(before.partitionEpoch + 1);
    expect(record.leaderEpoch, where).toBe(before.leaderEpoch + (record.leader === before.leader ? 0 : 1));
    // Only a leader's AlterPartition grows an ISR; an unclean election replaces it by the new leader alone.
    const added = record.isr.filter((r) => !before.isr.includes(r));
    if (record.leader !== before.leader && added.length > 0) expect(record.isr, where).toEqual([record.leader]);
  }
}

async function readLog(dir: string): Promise<MetadataRecord[]> {
  const records: MetadataRecord[] = [];
  const log = await MetadataLog.open(join(dir, 'metadata.log'), (record) => records.push(record), quiet);
  await log.close();
  return records;
}

describe('elections property', () => {
  it('leadershipInvariantsHold: leader -1 or a live ISR member; ISR a non-empty subset of the replicas; epochs bump exactly; unclean only when enabled', async () => {
    await fc.assert(fc.asyncProperty(fc.boolean(), fc.array(assignment, { minLength: PARTITIONS, maxLength: PARTITIONS }), fc.array(event, { maxLength: 40 }), run), {
      numRuns: 60,
    });
  });
});
