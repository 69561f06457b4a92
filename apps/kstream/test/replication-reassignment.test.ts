// Scaling within one host: a broker added to a running node takes a
// partition by reassignment (KIP-455), driven with kafkajs' admin as a user
// would. The new replica catches up from the leader, joins the ISR, the
// partition switches to its target replicas with the new broker leading,
// and the replica it dropped deletes its copy.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { partitionDirName } from '@kstream/log-storage';
import { afterEach, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { FAST_FAILOVER, produceAcknowledged, REPLICATED, replicaOnDisk, valuesOf, waitForPartition } from './failover.test-support.js';
import { RawConnection } from './raw-connection.test-support.js';
import { fetchPartition } from './raw-requests.test-support.js';
import { waitFor } from '../src/cluster.test-support.js';

// A follower's fetch lost to the cut is given up 1 s past its long poll (replica.socket.timeout.ms, 30 s by default) and sent again after its backoff.
const CONFIG = { ...REPLICATED, 'replica.socket.timeout.ms': '1000' };
const VALUES = Array.from({ length: 5 }, (_, batch) => Array.from({ length: 20 }, (_, i) => `record-${batch}-${i}-${'x'.repeat(i * 7)}`));

/** The record bytes of `topic`-`partition` from offset 0 as broker `port`'s Fetch answers them (the whole partition fits one response). */
async function fetchedBytes(port: number, topic: string, partition: number): Promise<{ errorCode: number; highWatermark: bigint; bytes: string }> {
  const conn = await RawConnection.open(port);
  try {
    const fetched = await fetchPartition(conn, topic, partition, 0n);
    return { errorCode: fetched.errorCode, highWatermark: fetched.highWatermark, bytes: Buffer.from(fetched.records ?? []).toString('hex') };
  } finally {
    conn.close();
  }
}

describe('partition reassignment onto an added broker', () => {
  let node: CompatCluster | undefined;

  afterEach(async () => {
    await node?.stop();
    node = undefined;
  });

  it('anAddedBrokerTakesAPartitionByReassignment: listed while it catches up, then it leads, byte for byte, and the dropped replica is deleted', async () => {
    node = await CompatCluster.start('reassignment', CONFIG, FAST_FAILOVER);
    const topic = topicName('reassigned');
    const admin = await node.admin();
    await admin.createTopics({
      topics: [
        {
          topic,
          replicaAssignment: [
            { partition: 0, replicas: [1, 2] },
            { partition: 1, replicas: [2, 3] },
          ],
        },
      ],
    });
    await waitForPartition(node, topic, 0, 'broker 1 leading with the ISR full', (p) => p.leader === 1 && p.isr.length === 2);
    for (const batch of VALUES) await produceAcknowledged(node, 1, topic, 0, batch, -1);
    const before = await fetchedBytes(node.port(1), topic, 0);
    expect(before.highWatermark).toBe(BigInt(VALUES.flat().length));

    const added = await node.cluster.control.addBroker();
    expect(added.id).toBe(4);
    // Broker 4 cannot fetch from the leader until the link heals: the reassignment stays in progress meanwhile.
    await node.cluster.control.cutLink(1, 4);
    await admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [4, 2] }] }] });
    const listed = await admin.listPartitionReassignments({ topics: [{ topic, partitions: [0, 1] }] });
    // kafkajs hands the list over as decoded: name and partition.
    expect(listed.topics).toEqual([{ name: topic, partitions: [{ partition: 0, replicas: [4, 2, 1], addingReplicas: [4], removingReplicas: [1] }] }]);
    const ongoing = await waitForPartition(node, topic, 0, 'broker 4 among the replicas', (p) => p.replicas.includes(4));
    expect(ongoing).toMatchObject({ leader: 1, replicas: [4, 2, 1] });

    await node.cluster.control.healLink(1, 4);
    const moved = await waitForPartition(node, topic, 0, 'moved to brokers 4 and 2, broker 4 leading', (p) => p.leader === 4 && p.replicas.length === 2, {
      timeoutMs: 10_000,
    });
    expect(moved.replicas).toEqual([4, 2]);
    expect([...moved.isr].sort()).toEqual([2, 4]);
    expect((await admin.listPartitionReassignments({})).topics).toEqual([]);

    const after = await fetchedBytes(added.port, topic, 0);
    expect(after).toEqual({ ...before, errorCode: 0 });
    const partitionDir = (broker: number) => join(node!.dataDir, `broker-${broker}`, partitionDirName(topic, 0));
    await waitFor('broker 1 to delete its replica of the partition it no longer holds', async () => !existsSync(partitionDir(1)));

    // The switch (the old leader's AlterPartition answered with another leader, its copy deleted) is no error anywhere.
    expect(node.logs.lines.filter((line) => line.startsWith('ERROR'))).toEqual([]);
    await node.cluster.stop();
    const onTwo = await replicaOnDisk(node, 2, topic, 0);
    const onFour = await replicaOnDisk(node, 4, topic, 0);
    expect(valuesOf(onFour)).toEqual(VALUES.flat());
    expect(
      onFour.map((b) => b.bytes.toString('hex')),
      "broker 4's batches, byte for byte broker 2's",
    ).toEqual(onTwo.map((b) => b.bytes.toString('hex')));
    expect(existsSync(partitionDir(1))).toBe(false);
  });
});
