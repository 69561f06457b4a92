// Faults on demand (Cluster.faults, Cluster.moveLeader) as a user's test
// sees them: @kstream/client against a 3-broker cluster started in the
// test, each fault met by the real client's retry, error or reconnect path.
import { Admin, Consumer, KafkaProtocolError, Producer, stringSerde } from '@kstream/client';
import { ErrorCode } from '@kstream/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, waitFor } from '../src/cluster.test-support.js';
import { startCluster } from '../src/start-cluster.js';
import type { Cluster } from '../src/start-cluster.js';

const quiet = { info() {}, warn() {}, error() {} };

describe('cluster faults on demand', { timeout: 60_000 }, () => {
  let dataDir: string;
  let cluster: Cluster;
  let admin: Admin;
  let topics = 0;

  beforeAll(async () => {
    dataDir = await makeTempDir('kstream-harness-faults-');
    cluster = await startCluster({ dataDir, port: 0, logger: quiet });
    admin = new Admin({ bootstrap: cluster.bootstrap });
  }, 120_000);

  afterEach(async () => {
    await cluster.faults.clear();
  });

  afterAll(async () => {
    await admin?.close();
    await cluster?.stop();
    await removeDir(dataDir);
  });

  /** A new topic, each partition's replicas [1, 2, 3] unless given. */
  async function newTopic(replicaAssignment: number[][] = [[1, 2, 3]]): Promise<string> {
    const topic = `faults-${++topics}`;
    await admin.createTopics([{ topic, replicaAssignment }]);
    return topic;
  }

  function producer(clientId = 'faults-test'): Producer<string, string> {
    return new Producer<string, string>({ bootstrap: cluster.bootstrap, clientId, keySerializer: stringSerde, valueSerializer: stringSerde, lingerMs: 0 });
  }

  /** Every value in the partition, from its start. */
  async function valuesIn(topic: string, partition: number, expected: number): Promise<string[]> {
    const consumer = new Consumer<string, string>({ bootstrap: cluster.bootstrap, valueDeserializer: stringSerde, autoOffsetReset: 'earliest' });
    consumer.assign([{ topic, partition }]);
    const values: string[] = [];
    const deadline = Date.now() + 10_000;
    try {
      while (values.length < expected && Date.now() < deadline) {
        for (const batch of await consumer.poll({ timeoutMs: 200 })) values.push(...batch.records.map((r) => r.value!));
      }
      // One more poll: a duplicate would show up behind the expected records.
      for (const batch of await consumer.poll({ timeoutMs: 300 })) values.push(...batch.records.map((r) => r.value!));
      return values;
    } finally {
      await consumer.close();
    }
  }

  it('twoInjectedNotLeaderErrorsAreRetriedAndTheThirdAttemptLandsOnce', async () => {
    const topic = await newTopic();
    const fault = await cluster.faults.injectErrors({ api: 'Produce', errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, count: 2, topic });
    expect(fault).toMatchObject({ kind: 'error', errorName: 'NOT_LEADER_OR_FOLLOWER', remaining: 2 });
    const p = producer();
    try {
      const [sent] = await p.send([{ topic, key: 'k', value: 'once' }]);
      expect(sent).toMatchObject({ topic, partition: 0, offset: 0n });
    } finally {
      await p.close();
    }
    expect(cluster.faults.list()).toEqual([expect.objectContaining({ id: fault.id, remaining: 0 })]);
    expect(await valuesIn(topic, 0, 1)).toEqual(['once']);
  });

  it('aNonRetriableInjectedErrorSurfacesToTheAppForTheNamedPartitionOnly', async () => {
    const topic = await newTopic([
      [1, 2, 3],
      [2, 3, 1],
    ]);
    await cluster.faults.injectErrors({ api: 'Produce', errorCode: 'TOPIC_AUTHORIZATION_FAILED', topic, partition: 1 });
    const p = producer();
    try {
      const results = await Promise.allSettled([p.send([{ topic, value: 'to-0', partition: 0 }]), p.send([{ topic, value: 'to-1', partition: 1 }])]);
      expect(results[0].status).toBe('fulfilled');
      expect(results[1].status).toBe('rejected');
      const error = (results[1] as PromiseRejectedResult).reason as KafkaProtocolError;
      expect(error).toBeInstanceOf(KafkaProtocolError);
      expect(error).toMatchObject({ code: ErrorCode.TOPIC_AUTHORIZATION_FAILED, retriable: false });
    } finally {
      await p.close();
    }
    expect(await valuesIn(topic, 1, 0)).toEqual([]);
  });

  it('aFaultForAnotherClientIdLeavesThisClientAlone', async () => {
    const topic = await newTopic();
    await cluster.faults.injectErrors({ api: 'Produce', errorCode: 'TOPIC_AUTHORIZATION_FAILED', clientId: 'someone-else' });
    const p = producer('this-client');
    try {
      await p.send([{ topic, value: 'fine' }]);
    } finally {
      await p.close();
    }
    expect(cluster.faults.list()[0]).toMatchObject({ clientId: 'someone-else', remaining: 1 });
  });

  it('delayedResponsesTakeAtLeastTheDelay', async () => {
    const topic = await newTopic();
    const p = producer();
    try {
      await p.send([{ topic, value: 'warm-up' }]);
      await cluster.faults.delayResponses({ api: 'Produce', ms: 400, count: 1 });
      const startedAt = performance.now();
      await p.send([{ topic, value: 'delayed' }]);
      const delayed = performance.now() - startedAt;
      expect(delayed).toBeGreaterThanOrEqual(400);
      expect(cluster.faults.list()[0]).toMatchObject({ kind: 'delay', ms: 400, remaining: 0 });
    } finally {
      await p.close();
    }
  });

  it('aDroppedConnectionIsReconnectedAndTheRecordLandsOnce', async () => {
    const topic = await newTopic();
    const p = producer();
    try {
      await p.send([{ topic, value: 'before' }]);
      await cluster.faults.dropConnections({ api: 'Produce', count: 1 });
      await p.send([{ topic, value: 'after-drop' }]);
    } finally {
      await p.close();
    }
    expect(cluster.faults.list()[0]).toMatchObject({ kind: 'drop', remaining: 0 });
    expect(await valuesIn(topic, 0, 2)).toEqual(['before', 'after-drop']);
  });

  it('moveLeaderElectsTheNamedReplicaAndTheProducerFollows', async () => {
    const topic = await newTopic([[1, 2, 3]]);
    const p = producer();
    try {
      await p.send([{ topic, value: 'on-1' }]);
      await waitFor('broker 3 in the ISR', async () => (await admin.describeTopics([topic]))[0]!.partitions[0]!.isr.includes(3));
      await cluster.moveLeader(topic, 0, 3);
      const [described] = await admin.describeTopics([topic]);
      expect(described!.partitions[0]).toMatchObject({ leader: 3, replicas: [3, 1, 2] });
      await p.send([{ topic, value: 'on-3' }]);
    } finally {
      await p.close();
    }
    expect(await valuesIn(topic, 0, 2)).toEqual(['on-1', 'on-3']);
  });

  it('moveLeaderToABrokerWithoutAReplicaIsRefusedNamingTheReplicas', async () => {
    const topic = await newTopic([[1, 2]]);
    await expect(cluster.moveLeader(topic, 0, 3)).rejects.toThrow(`moveLeader: broker 3 holds no replica of ${topic}-0 (replicas 1, 2)`);
  });

  it('faultsReachABrokerStartedAfterTheirInjection', async () => {
    const topic = await newTopic([[2, 1, 3]]);
    await cluster.control.stopBroker(2);
    try {
      await cluster.faults.injectErrors({ api: 'Produce', errorCode: 'TOPIC_AUTHORIZATION_FAILED', broker: 2 });
    } finally {
      await cluster.control.startBroker(2);
    }
    await cluster.moveLeader(topic, 0, 2);
    const p = producer();
    try {
      await expect(p.send([{ topic, value: 'refused' }])).rejects.toMatchObject({ code: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
    } finally {
      await p.close();
    }
  });

  it('listAndClearShowEveryFaultUntilCleared', async () => {
    await expect(cluster.faults.injectErrors({ api: 'Metadata', errorCode: 'NOT_CONTROLLER' })).rejects.toThrow(/Metadata's response has no error code for the whole request/);
    await cluster.faults.delayResponses({ api: 'Fetch', ms: 10 });
    await cluster.faults.injectErrors({ api: 'FindCoordinator', errorCode: 'COORDINATOR_NOT_AVAILABLE', count: 3 });
    expect(cluster.faults.list().map((f) => [f.kind, f.api, f.remaining])).toEqual([
      ['delay', 'Fetch', null],
      ['error', 'FindCoordinator', 3],
    ]);
    await cluster.faults.clear();
    expect(cluster.faults.list()).toEqual([]);
  });
});
