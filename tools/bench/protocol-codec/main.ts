// npm run bench -- protocol-codec [rounds]
// The schema-compiled message codec on the broker's request path, every
// figure beside a baseline measured in the same run: kafkajs's hand-written
// codec for the same message where kafkajs has one, else a plain copy of the
// frame's bytes (the floor for any codec that hands out the bytes).

import { createRequire } from 'node:module';
import {
  ByteWriter,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  Fetch,
  messageCodec,
  Metadata,
  OffsetCommit,
  Produce,
  type RequestOf,
  type ResponseOf,
} from '@kstream/protocol';
import { measureRate, report, type Figure } from '../harness.js';

const require = createRequire(import.meta.url);
type KafkajsBuilder = (args: object) => { request: object; response: { decode(payload: Buffer): Promise<unknown> } };
const kafkajs = (name: string, version: number) => (require(`kafkajs/src/protocol/requests/${name}`) as { protocol(o: { version: number }): KafkajsBuilder }).protocol({ version });
const kafkajsFrame = require('kafkajs/src/protocol/request') as (options: object) => Promise<{ buffer: Buffer }>;

const TOPICS = 20;
const PARTITIONS = 6;

function metadataResponse(): ResponseOf<typeof Metadata> {
  return {
    throttleTimeMs: 0,
    brokers: [1, 2, 3].map((nodeId) => ({ nodeId, host: 'broker.internal', port: 9091 + nodeId, rack: null })),
    clusterId: 'kstream-bench',
    controllerId: 1,
    clusterAuthorizedOperations: -2147483648,
    topics: Array.from({ length: TOPICS }, (_, t) => ({
      errorCode: 0,
      name: `orders-${t}`,
      topicId: '00000000-0000-0000-0000-000000000000',
      isInternal: false,
      topicAuthorizedOperations: -2147483648,
      partitions: Array.from({ length: PARTITIONS }, (_, p) => ({
        errorCode: 0,
        partitionIndex: p,
        leaderId: 1 + (p % 3),
        leaderEpoch: 7,
        replicaNodes: [1, 2, 3],
        isrNodes: [1, 2, 3],
        offlineReplicas: [],
      })),
    })),
  };
}

const commitTopics = Array.from({ length: TOPICS }, (_, t) => ({
  topic: `orders-${t}`,
  partitions: Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, offset: String(1_000_000 + p) })),
}));

function offsetCommitRequest(): RequestOf<typeof OffsetCommit> {
  const body = {
    groupId: 'billing',
    generationIdOrMemberEpoch: 12,
    memberId: 'consumer-1-5f1c',
    topics: commitTopics.map((t) => ({
      name: t.topic,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, committedOffset: BigInt(p.offset), committedMetadata: null })),
    })),
  };
  return body as unknown as RequestOf<typeof OffsetCommit>;
}

function records(size: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

async function metadataFigures(rounds: number): Promise<Figure[]> {
  const version = 6;
  const frame = encodeResponse(Metadata, version, 1, metadataResponse());
  const payload = frame.subarray(8);
  const { response } = kafkajs('metadata', version)({ topics: [] });
  const perRound = 2000;
  const ours = await measureRate(
    () => {
      for (let i = 0; i < perRound; i++) decodeResponse(Metadata, version, frame);
      return perRound;
    },
    { rounds },
  );
  const theirs = await measureRate(
    async () => {
      for (let i = 0; i < perRound; i++) await response.decode(payload);
      return perRound;
    },
    { rounds },
  );
  const body = metadataResponse();
  const encode = await measureRate(
    () => {
      for (let i = 0; i < perRound; i++) encodeResponse(Metadata, version, 1, body);
      return perRound;
    },
    { rounds },
  );
  return [
    { name: `Metadata v6 response decode (${frame.length} B)`, value: ours, unit: 'msg/s', baseline: { name: 'kafkajs decode', value: theirs } },
    { name: `Metadata v6 response encode (${frame.length} B)`, value: encode, unit: 'msg/s', baseline: { name: 'our decode', value: ours } },
  ];
}

async function offsetCommitFigures(rounds: number): Promise<Figure[]> {
  const version = 5;
  const body = offsetCommitRequest();
  const { request } = kafkajs('offsetCommit', version)({ groupId: 'billing', groupGenerationId: 12, memberId: 'consumer-1-5f1c', topics: commitTopics });
  const frame = encodeRequest(OffsetCommit, version, 1, 'bench', body);
  const perRound = 2000;
  const ours = await measureRate(
    () => {
      for (let i = 0; i < perRound; i++) encodeRequest(OffsetCommit, version, 1, 'bench', body);
      return perRound;
    },
    { rounds },
  );
  const theirs = await measureRate(
    async () => {
      for (let i = 0; i < perRound; i++) await kafkajsFrame({ correlationId: 1, clientId: 'bench', request });
      return perRound;
    },
    { rounds },
  );
  const decode = await measureRate(
    () => {
      for (let i = 0; i < perRound; i++) decodeRequest(frame);
      return perRound;
    },
    { rounds },
  );
  return [
    { name: `OffsetCommit v5 request encode (${frame.length} B)`, value: ours, unit: 'msg/s', baseline: { name: 'kafkajs encode', value: theirs } },
    { name: `OffsetCommit v5 request decode (${frame.length} B)`, value: decode, unit: 'msg/s', baseline: { name: 'our encode', value: ours } },
  ];
}

/** Produce and Fetch carry record batches as opaque bytes: the codec's cost beside copying those bytes once. */
async function recordsFigures(rounds: number): Promise<Figure[]> {
  const batch = 64 * 1024;
  const partitions = Array.from({ length: 8 }, (_, p) => ({ index: p, records: records(batch, p) }));
  const produce = encodeRequest(Produce, 9, 1, 'bench', { transactionalId: null, acks: -1, timeoutMs: 30000, topicData: [{ name: 'orders', partitionData: partitions }] });
  const fetchBody = {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    nodeEndpoints: [],
    responses: [
      {
        topic: 'orders',
        topicId: '00000000-0000-0000-0000-000000000000',
        partitions: partitions.map((p) => ({
          partitionIndex: p.index,
          errorCode: 0,
          highWatermark: 1000n,
          lastStableOffset: 1000n,
          logStartOffset: 0n,
          divergingEpoch: { epoch: -1, endOffset: -1n },
          currentLeader: { leaderId: -1, leaderEpoch: -1 },
          snapshotId: { endOffset: -1n, epoch: -1 },
          abortedTransactions: null,
          preferredReadReplica: -1,
          records: p.records,
        })),
      },
    ],
  } as unknown as ResponseOf<typeof Fetch>;
  const fetchFrame = encodeResponse(Fetch, 12, 1, fetchBody);
  const copy = Buffer.allocUnsafe(fetchFrame.length);
  const perRound = 200;
  const copyRate = await measureRate(
    () => {
      for (let i = 0; i < perRound; i++) fetchFrame.copy(copy);
      return perRound;
    },
    { rounds },
  );
  // Any encoder that returns a fresh buffer (a two-pass size-then-write one included) pays for one allocation and one pass over the bytes.
  const allocCopyRate = await measureRate(
    () => {
      for (let i = 0; i < perRound; i++) fetchFrame.copy(Buffer.allocUnsafe(fetchFrame.length));
      return perRound;
    },
    { rounds },
  );
  const produceDecode = await measureRate(
    () => {
      for (let i = 0; i < perRound; i++) decodeRequest(produce);
      return perRound;
    },
    { rounds },
  );
  const fetchEncode = await measureRate(
    () => {
      for (let i = 0; i < perRound; i++) encodeResponse(Fetch, 12, 1, fetchBody);
      return perRound;
    },
    { rounds },
  );
  // Encoding into a reused buffer, without the fresh result: the part of the cost that is the codec's own.
  const codec = messageCodec(Fetch, 12, 'response');
  const w = new ByteWriter(fetchFrame.length);
  const fetchEncodeInPlace = await measureRate(
    () => {
      for (let i = 0; i < perRound; i++) {
        w.reset();
        codec.encode(w, fetchBody);
      }
      return perRound;
    },
    { rounds },
  );
  const mib = (rate: number, bytes = fetchFrame.length) => (rate * bytes) / 2 ** 20;
  return [
    { name: 'Produce v9 request decode (8 x 64 KiB batches)', value: mib(produceDecode, produce.length), unit: 'MiB/s', baseline: { name: 'memcpy', value: mib(copyRate) } },
    { name: 'Fetch v12 response encode (8 x 64 KiB batches)', value: mib(fetchEncode), unit: 'MiB/s', baseline: { name: 'alloc + memcpy', value: mib(allocCopyRate) } },
    { name: 'Fetch v12 response encode into a reused buffer', value: mib(fetchEncodeInPlace), unit: 'MiB/s', baseline: { name: 'memcpy', value: mib(copyRate) } },
  ];
}

export async function main(args: string[]): Promise<void> {
  const rounds = Number(args[0] ?? 7);
  report('Schema codec: metadata-sized messages (20 topics x 6 partitions)', [...(await metadataFigures(rounds)), ...(await offsetCommitFigures(rounds))]);
  report('Schema codec: record-carrying messages', await recordsFigures(rounds));
}
