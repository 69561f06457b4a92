// Markers routed to the partitions' leaders: this broker's own through its
// ReplicaManager, another's over a real PeerLinks pair, served there by the
// same ReplicaManager function; a cut or missing link is a retriable answer.
import { describe, expect, it, vi } from 'vitest';
import { GROUP_METADATA_TOPIC } from '@kstream/metadata';
import { ErrorCode } from '@kstream/protocol';
import type { TxnMarkerEntry } from '@kstream/transaction-coordinator';
import { clusterRecords, pairBrokers, testBroker, type TestBroker } from '../partitions/broker-services.test-support.js';
import { producerBatch } from './txn-batches.test-support.js';
import { brokerTxnMarkerWriter, PEER_ANSWER_MARGIN_MS } from './txn-marker-writer.js';

const LOCAL = { name: 'local', topicId: '1a1a1a1a-0000-4000-8000-000000000001' };
const REMOTE = { name: 'remote', topicId: '1a1a1a1a-0000-4000-8000-000000000002', leader: 2 };
const OFFSETS = { name: GROUP_METADATA_TOPIC, topicId: '1a1a1a1a-0000-4000-8000-000000000003', leader: 2 };
const PRODUCER = 900n;
const MARKER_TIMEOUT_MS = 200;

/** Brokers 1 and 2 of one cluster: `local` led by 1, `remote` and __consumer_offsets by 2; each has an open transaction of PRODUCER. */
async function twoBrokers(): Promise<{ one: TestBroker; two: TestBroker }> {
  const records = clusterRecords(LOCAL, REMOTE, OFFSETS);
  const one = await testBroker(records, {}, { brokerId: 1 });
  const two = await testBroker(records, {}, { brokerId: 2 });
  const open = async () => producerBatch(['t'], { producerId: PRODUCER, baseSequence: 0, transactional: true });
  expect((await one.services.partitions.appendRecords(LOCAL.name, 0, await open(), -1, 1000)).errorCode).toBe(ErrorCode.NONE);
  expect((await two.services.partitions.appendRecords(REMOTE.name, 0, await open(), -1, 1000)).errorCode).toBe(ErrorCode.NONE);
  return { one, two };
}

function writerOf(broker: TestBroker) {
  const { brokerId, metadata, partitions, peers, logger } = broker.services;
  return brokerTxnMarkerWriter({ brokerId, metadata, partitions, peers, timeoutMs: () => MARKER_TIMEOUT_MS, logger });
}

function commitOf(...partitions: { topic: string; partition: number }[]): TxnMarkerEntry {
  return { producerId: PRODUCER, producerEpoch: 0, coordinatorEpoch: 0, commit: true, partitions };
}

describe('brokerTxnMarkerWriter', () => {
  it("routesToEachLeader: its own partition written here, the peer's over their channel, an unknown one UNKNOWN_TOPIC_OR_PARTITION", async () => {
    const { one, two } = await twoBrokers();
    pairBrokers(one, two);
    const results = await writerOf(one).write(commitOf({ topic: 'local', partition: 0 }, { topic: 'remote', partition: 0 }, { topic: 'gone', partition: 0 }));
    expect(results).toEqual([
      { topic: 'local', partition: 0, errorCode: ErrorCode.NONE },
      { topic: 'remote', partition: 0, errorCode: ErrorCode.NONE },
      { topic: 'gone', partition: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
    for (const [broker, topic] of [
      [one, 'local'],
      [two, 'remote'],
    ] as const) {
      const partition = broker.services.partitions.partition(topic, 0)!;
      expect(partition.logEndOffset).toBe(2n);
      expect(partition.lastStableOffset).toBe(2n);
    }
  });

  it("offsetsMarkerCompletesGroupOffsets: a marker on the peer's __consumer_offsets partition completes the producer's offsets in its group coordinator", async () => {
    const { one, two } = await twoBrokers();
    pairBrokers(one, two);
    const completed = vi.spyOn(two.services.groups, 'onTransactionCompleted');
    const results = await writerOf(one).write({ ...commitOf({ topic: GROUP_METADATA_TOPIC, partition: 0 }), commit: false });
    expect(results).toEqual([{ topic: GROUP_METADATA_TOPIC, partition: 0, errorCode: ErrorCode.NONE }]);
    expect(completed).toHaveBeenCalledWith(0, PRODUCER, false);
  });

  it("cutLinkTimesOut: across a cut link the peer's partitions are REQUEST_TIMED_OUT, retriable; once healed the marker is written", async () => {
    const { one, two } = await twoBrokers();
    pairBrokers(one, two);
    one.services.peers.setCut(2, true);
    two.services.peers.setCut(1, true);
    const started = Date.now();
    const cut = await writerOf(one).write(commitOf({ topic: 'local', partition: 0 }, { topic: 'remote', partition: 0 }));
    expect(cut).toEqual([
      { topic: 'local', partition: 0, errorCode: ErrorCode.NONE },
      { topic: 'remote', partition: 0, errorCode: ErrorCode.REQUEST_TIMED_OUT },
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(MARKER_TIMEOUT_MS + PEER_ANSWER_MARGIN_MS - 50);
    expect(two.services.partitions.partition('remote', 0)!.logEndOffset).toBe(1n);
    one.services.peers.setCut(2, false);
    two.services.peers.setCut(1, false);
    expect(await writerOf(one).write(commitOf({ topic: 'remote', partition: 0 }))).toEqual([{ topic: 'remote', partition: 0, errorCode: ErrorCode.NONE }]);
    expect(two.services.partitions.partition('remote', 0)!.lastStableOffset).toBe(2n);
  });

  it('noChannelIsNotLeader: without a channel to the leader its partitions are NOT_LEADER_OR_FOLLOWER at once, the others still written', async () => {
    const { one } = await twoBrokers();
    const started = Date.now();
    const results = await writerOf(one).write(commitOf({ topic: 'remote', partition: 0 }, { topic: 'local', partition: 0 }));
    expect(results).toEqual([
      { topic: 'remote', partition: 0, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER },
      { topic: 'local', partition: 0, errorCode: ErrorCode.NONE },
    ]);
    expect(Date.now() - started).toBeLessThan(MARKER_TIMEOUT_MS);
  });

  it("staleMarkerRefusedByPeer: the peer's log refuses a marker of an older coordinator epoch, and the answer says so", async () => {
    const { one, two } = await twoBrokers();
    pairBrokers(one, two);
    const writer = writerOf(one);
    await writer.write({ ...commitOf({ topic: 'remote', partition: 0 }), coordinatorEpoch: 5 });
    await two.services.partitions.appendRecords(REMOTE.name, 0, await producerBatch(['u'], { producerId: PRODUCER, baseSequence: 1, transactional: true }), -1, 1000);
    expect(await writer.write({ ...commitOf({ topic: 'remote', partition: 0 }), coordinatorEpoch: 4 })).toEqual([
      { topic: 'remote', partition: 0, errorCode: ErrorCode.TRANSACTION_COORDINATOR_FENCED },
    ]);
  });
});
