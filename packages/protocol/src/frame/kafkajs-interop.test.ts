// kafkajs 2.x is a client kstream must serve unchanged, and an encoder and
// decoder written independently of ours: requests it encodes must decode
// here to what it meant, and responses we encode must decode there.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ApiVersions } from '../apis/api-versions.js';
import { Fetch } from '../apis/fetch.js';
import { FindCoordinator } from '../apis/find-coordinator.js';
import { Heartbeat } from '../apis/heartbeat.js';
import { JoinGroup } from '../apis/join-group.js';
import { LeaveGroup } from '../apis/leave-group.js';
import { ListOffsets } from '../apis/list-offsets.js';
import { Metadata } from '../apis/metadata.js';
import { OffsetCommit } from '../apis/offset-commit.js';
import { OffsetFetch } from '../apis/offset-fetch.js';
import { Produce } from '../apis/produce.js';
import { SyncGroup } from '../apis/sync-group.js';
import type { ApiSpec } from '../schema/schema-types.js';
import { inVersionRange } from '../schema/versions.js';
import { decodeRequest, encodeResponse } from './frame-codec.js';

const require = createRequire(import.meta.url);

interface KafkajsProtocol {
  versions: string[];
  protocol(options: { version: number }): (args: object) => { request: object; response: { decode(payload: Buffer): Promise<unknown> } };
}
interface KafkajsEncoder {
  buffer: Buffer;
}
const frameRequest = require('kafkajs/src/protocol/request') as (options: object) => Promise<KafkajsEncoder>;
const kafkajs = (name: string) => require(`kafkajs/src/protocol/requests/${name}`) as KafkajsProtocol;

interface RequestCase {
  readonly api: ApiSpec;
  readonly kafkajs: string;
  readonly args: object;
  /** What our decoder must find, per version. */
  readonly expected: (version: number) => object;
}

const GROUP = { groupId: 'g1', groupGenerationId: 3, generationId: 3, memberId: 'm1', groupInstanceId: null };

const requestCases: RequestCase[] = [
  { api: ApiVersions, kafkajs: 'apiVersions', args: {}, expected: () => ({}) },
  {
    api: Metadata,
    kafkajs: 'metadata',
    args: { topics: ['orders', 'events'], allowAutoTopicCreation: false },
    expected: (v) => ({ topics: [{ name: 'orders' }, { name: 'events' }], allowAutoTopicCreation: v < 4 }),
  },
  {
    api: Produce,
    kafkajs: 'produce',
    args: { acks: -1, timeout: 30000, compression: 0, topicData: [{ topic: 'orders', partitions: [{ partition: 2, messages: [{ key: 'k', value: 'v' }] }] }] },
    expected: () => ({ acks: -1, timeoutMs: 30000, transactionalId: null, topicData: [{ name: 'orders', partitionData: [{ index: 2 }] }] }),
  },
  {
    api: Fetch,
    kafkajs: 'fetch',
    args: {
      replicaId: -1,
      maxWaitTime: 500,
      minBytes: 1,
      maxBytes: 1048576,
      isolationLevel: 1,
      rackId: 'r1',
      topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: '42', maxBytes: 1024 }] }],
    },
    expected: (v) => ({
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 1048576,
      isolationLevel: 1,
      ...(v >= 11 && { rackId: 'r1' }),
      topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: 42n, partitionMaxBytes: 1024 }] }],
    }),
  },
  {
    api: ListOffsets,
    kafkajs: 'listOffsets',
    args: { replicaId: -1, isolationLevel: 1, topics: [{ topic: 'orders', partitions: [{ partition: 1, timestamp: -2 }] }] },
    expected: () => ({ replicaId: -1, topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, timestamp: -2n }] }] }),
  },
  { api: FindCoordinator, kafkajs: 'findCoordinator', args: { groupId: 'g1', coordinatorType: 0 }, expected: () => ({ key: 'g1', keyType: 0 }) },
  {
    api: JoinGroup,
    kafkajs: 'joinGroup',
    args: {
      ...GROUP,
      memberId: '',
      sessionTimeout: 30000,
      rebalanceTimeout: 60000,
      protocolType: 'consumer',
      groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1]) }],
    },
    expected: (v) => ({
      groupId: 'g1',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: v >= 1 ? 60000 : -1,
      memberId: '',
      protocolType: 'consumer',
      protocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1]) }],
    }),
  },
  {
    api: SyncGroup,
    kafkajs: 'syncGroup',
    args: { ...GROUP, groupAssignment: [{ memberId: 'm1', memberAssignment: Buffer.from([9]) }] },
    expected: () => ({ groupId: 'g1', generationId: 3, memberId: 'm1', assignments: [{ memberId: 'm1', assignment: Buffer.from([9]) }] }),
  },
  { api: Heartbeat, kafkajs: 'heartbeat', args: GROUP, expected: () => ({ groupId: 'g1', generationId: 3, memberId: 'm1' }) },
  {
    api: LeaveGroup,
    kafkajs: 'leaveGroup',
    args: GROUP,
    expected: (v) => (v >= 3 ? { groupId: 'g1', members: [{ memberId: 'm1', groupInstanceId: null }] } : { groupId: 'g1', memberId: 'm1' }),
  },
  {
    api: OffsetCommit,
    kafkajs: 'offsetCommit',
    args: { ...GROUP, retentionTime: -1, topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '100' }] }] },
    expected: (v) => ({
      groupId: 'g1',
      ...(v >= 1 && { generationIdOrMemberEpoch: 3, memberId: 'm1' }),
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 100n }] }],
    }),
  },
  {
    api: OffsetFetch,
    kafkajs: 'offsetFetch',
    args: { groupId: 'g1', topics: [{ topic: 'orders', partitions: [{ partition: 0 }] }] },
    expected: () => ({ groupId: 'g1', topics: [{ name: 'orders', partitionIndexes: [0] }] }),
  },
];

function sharedVersions(api: ApiSpec, name: string): number[] {
  return kafkajs(name)
    .versions.map(Number)
    .filter((v) => inVersionRange(api.validVersions, v));
}

describe('kafkajs requests decode here to what kafkajs meant', () => {
  for (const c of requestCases) {
    for (const version of sharedVersions(c.api, c.kafkajs)) {
      it(`${c.api.name} v${version}`, async () => {
        const { request } = kafkajs(c.kafkajs).protocol({ version })(c.args);
        const frame = (await frameRequest({ correlationId: 77, clientId: 'kafkajs-test', request })).buffer;
        const decoded = decodeRequest(frame);
        expect(decoded.header).toEqual({ apiKey: c.api.apiKey, apiVersion: version, correlationId: 77, clientId: 'kafkajs-test' });
        expect(decoded.body).toMatchObject(c.expected(version));
      });
    }
  }

  it('Produce records arrive as the bytes kafkajs wrote', async () => {
    const { request } = kafkajs('produce').protocol({ version: 7 })(requestCases[2]!.args);
    const frame = (await frameRequest({ correlationId: 1, clientId: 'c', request })).buffer;
    const records = (decodeRequest(frame).body as { topicData: { partitionData: { records: Buffer }[] }[] }).topicData[0]!.partitionData[0]!.records;
    // A v2 batch: length field at 8 counts the rest, magic byte 2 at 16.
    expect(records.readInt32BE(8)).toBe(records.length - 12);
    expect(records[16]).toBe(2);
  });
});

/** Our response frame's payload after the correlationId, as kafkajs hands it to a response decoder. */
async function kafkajsDecode(api: ApiSpec, name: string, version: number, body: object): Promise<Record<string, unknown>> {
  const frame = encodeResponse(api, version, 5, body as never);
  expect(frame.readInt32BE(4)).toBe(5);
  const { response } = kafkajs(name).protocol({ version })({ topics: [], groupId: 'g1' });
  return (await response.decode(frame.subarray(8))) as Record<string, unknown>;
}

describe('our responses decode in kafkajs', () => {
  const brokers = [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }];
  const partition = { errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 4, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] };
  const metadata = {
    throttleTimeMs: 0,
    brokers,
    clusterId: 'kstream',
    controllerId: 1,
    clusterAuthorizedOperations: -2147483648,
    topics: [{ errorCode: 0, name: 'orders', topicId: '00000000-0000-0000-0000-000000000000', isInternal: false, partitions: [partition], topicAuthorizedOperations: -2147483648 }],
  };

  for (const version of sharedVersions(Metadata, 'metadata')) {
    it(`Metadata v${version}`, async () => {
      const decoded = await kafkajsDecode(Metadata, 'metadata', version, metadata);
      expect(decoded['brokers']).toEqual([{ nodeId: 1, host: 'localhost', port: 9092, ...(version >= 1 && { rack: null }) }]);
      expect(decoded['topicMetadata']).toMatchObject([{ topicErrorCode: 0, topic: 'orders', partitionMetadata: [{ partitionId: 0, leader: 1, replicas: [1], isr: [1] }] }]);
    });
  }

  for (const version of sharedVersions(ApiVersions, 'apiVersions')) {
    it(`ApiVersions v${version}`, async () => {
      const body = {
        errorCode: 0,
        apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
        throttleTimeMs: 0,
        supportedFeatures: [],
        finalizedFeaturesEpoch: -1n,
        finalizedFeatures: [],
        zkMigrationReady: false,
      };
      expect(await kafkajsDecode(ApiVersions, 'apiVersions', version, body)).toMatchObject({ errorCode: 0, apiVersions: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }] });
    });
  }

  for (const version of sharedVersions(FindCoordinator, 'findCoordinator')) {
    it(`FindCoordinator v${version}`, async () => {
      const body = { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 2, host: 'localhost', port: 9093, coordinators: [] };
      expect(await kafkajsDecode(FindCoordinator, 'findCoordinator', version, body)).toMatchObject({ errorCode: 0, coordinator: { nodeId: 2, host: 'localhost', port: 9093 } });
    });
  }

  for (const version of sharedVersions(JoinGroup, 'joinGroup')) {
    it(`JoinGroup v${version}`, async () => {
      const body = {
        throttleTimeMs: 0,
        errorCode: 0,
        generationId: 7,
        protocolType: 'consumer',
        protocolName: 'RoundRobinAssigner',
        leader: 'm1',
        skipAssignment: false,
        memberId: 'm1',
        members: [{ memberId: 'm1', groupInstanceId: null, metadata: Buffer.from([1, 2]) }],
      };
      expect(await kafkajsDecode(JoinGroup, 'joinGroup', version, body)).toMatchObject({
        errorCode: 0,
        generationId: 7,
        groupProtocol: 'RoundRobinAssigner',
        leaderId: 'm1',
        memberId: 'm1',
        members: [{ memberId: 'm1', memberMetadata: Buffer.from([1, 2]) }],
      });
    });
  }

  for (const version of sharedVersions(SyncGroup, 'syncGroup')) {
    it(`SyncGroup v${version}`, async () => {
      const body = { throttleTimeMs: 0, errorCode: 0, protocolType: null, protocolName: null, assignment: Buffer.from([3, 4]) };
      expect(await kafkajsDecode(SyncGroup, 'syncGroup', version, body)).toMatchObject({ errorCode: 0, memberAssignment: Buffer.from([3, 4]) });
    });
  }
});
