import { ApiVersions, decodeResponse, encodeRequest, Fetch, JoinGroup, Produce, responseCorrelationId } from '@kstream/protocol';
import type { RequestOf } from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { NO_RESPONSE } from '../handlers/handler.js';
import type { ApiHandler } from '../handlers/handler.js';
import { HandlerRegistry } from '../handlers/registry.js';
import { RawClient } from './raw-client.test-support.js';
import { startTestListener } from './test-listener.test-support.js';
import type { TestListener } from './test-listener.test-support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Produce that waits `timeoutMs` (so a test decides the order handlers finish in) and honours acks=0. */
const delayedProduce: ApiHandler<typeof Produce> = {
  api: Produce,
  async handle(request) {
    await sleep(request.timeoutMs);
    if (request.acks === 0) return NO_RESPONSE;
    return { responses: request.topicData.map(({ name }) => ({ name, partitionResponses: [] })), throttleTimeMs: 0, nodeEndpoints: [] };
  },
};

/** Fetch that fails on a topic named "boom" and otherwise answers with the requested number of bytes as records. */
const testFetch: ApiHandler<typeof Fetch> = {
  api: Fetch,
  async handle(request) {
    const topic = request.topics[0]!;
    if (topic.topic === 'boom') throw new Error('the handler broke');
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: topic.topic,
          topicId: topic.topicId,
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 0n,
              lastStableOffset: 0n,
              logStartOffset: 0n,
              divergingEpoch: { epoch: -1, endOffset: -1n },
              currentLeader: { leaderId: -1, leaderEpoch: -1 },
              snapshotId: { endOffset: -1n, epoch: -1 },
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: Buffer.alloc(topic.partitions[0]!.partitionMaxBytes, 7),
            },
          ],
        },
      ],
      nodeEndpoints: [],
    };
  },
};

const produce = (acks: number, delayMs: number, name: string): RequestOf<typeof Produce> => ({
  transactionalId: null,
  acks,
  timeoutMs: delayMs,
  topicData: [{ name, partitionData: [] }],
});

const fetchOf = (topic: string, bytes: number): RequestOf<typeof Fetch> => ({
  clusterId: null,
  replicaId: -1,
  replicaState: { replicaId: -1, replicaEpoch: -1n },
  maxWaitMs: 0,
  minBytes: 0,
  maxBytes: 0x7fffffff,
  isolationLevel: 0,
  sessionId: 0,
  sessionEpoch: -1,
  topics: [
    {
      topic,
      topicId: '00000000-0000-0000-0000-000000000000',
      partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: bytes }],
    },
  ],
  forgottenTopicsData: [],
  rackId: '',
});

const apiVersionsV0 = { clientSoftwareName: '', clientSoftwareVersion: '' };

let listener: TestListener | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await listener?.close();
  listener = undefined;
});

async function serve(limits: { maxRequestBytes?: number; idleTimeoutMs?: number } = {}) {
  listener = await startTestListener(new HandlerRegistry([delayedProduce, testFetch]), limits);
  return listener;
}

async function client(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  clients.push(c);
  return c;
}

describe('ClientConnection', () => {
  it('pipelinedResponsesInRequestOrder: handlers finishing out of order still answer in request order; acks=0 gets nothing', async () => {
    const { port } = await serve();
    const c = await client(port);
    const delays = [60, 5, 40, 0, 25, 10, 50, 1];
    const sent = delays.map((delay, i) => c.frame(Produce, 7, produce(i === 3 ? 0 : 1, delay, `t${i}`)));
    const apiVersions = c.frame(ApiVersions, 2, apiVersionsV0);
    c.write(...sent.map((s) => s.frame), apiVersions.frame);

    const frames = await c.waitForFrames(delays.length);
    await sleep(100);
    expect(c.frames).toHaveLength(delays.length);
    const expected = [...sent.filter((_, i) => i !== 3).map((s) => s.correlationId), apiVersions.correlationId];
    expect(frames.map(responseCorrelationId)).toEqual(expected);
    expect(decodeResponse(Produce, 7, frames[0]!).body.responses[0]!.name).toBe('t0');
    expect(decodeResponse(ApiVersions, 2, frames.at(-1)!).body.errorCode).toBe(0);
  });

  it('manyInFlight: more pipelined requests than the in-flight bound are all answered, in order', async () => {
    const { port } = await serve();
    const c = await client(port);
    const sent = Array.from({ length: 400 }, (_, i) => c.frame(Produce, 8, produce(1, i % 3, `t${i}`)));
    c.write(...sent.map((s) => s.frame));
    const frames = await c.waitForFrames(sent.length);
    expect(frames.map(responseCorrelationId)).toEqual(sent.map((s) => s.correlationId));
  });

  it('largeRecordsAreWrittenWhole: a Fetch response carrying 1 MiB of records arrives intact, flexible and not', async () => {
    const { port } = await serve({ maxRequestBytes: 4096 });
    const c = await client(port);
    for (const version of [11, 12, 16]) {
      const body = await c.request(Fetch, version, fetchOf('big', 1024 * 1024));
      const records = body.responses[0]!.partitions[0]!.records!;
      expect(records.length).toBe(1024 * 1024);
      expect(records.every((b) => b === 7)).toBe(true);
    }
  });

  it('oversizedFrameRefusedBeforeBuffering: a 200 MiB size prefix closes that connection at once; others carry on', async () => {
    const { port, logger } = await serve({ maxRequestBytes: 1024 * 1024 });
    const bystander = await client(port);
    const c = await client(port);
    const before = process.memoryUsage().arrayBuffers;
    const size = Buffer.alloc(4);
    size.writeInt32BE(200 * 1024 * 1024);
    c.write(size);
    await c.closed;
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(20 * 1024 * 1024);
    expect(logger.lines.some((l) => l.includes('frame size 209715200 exceeds the limit of 1048576 bytes'))).toBe(true);
    expect((await bystander.request(ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' })).errorCode).toBe(0);
  });

  it('negativeFrameSize: closes the connection naming the size', async () => {
    const { port, logger } = await serve();
    const c = await client(port);
    c.write(Buffer.from([0xff, 0xff, 0xff, 0xfe]));
    await c.closed;
    expect(logger.lines.some((l) => l.includes('negative frame size -2'))).toBe(true);
  });

  it('garbageAfterAValidFrame: the valid request is answered, then the connection closes naming what failed', async () => {
    const { port, logger } = await serve();
    const c = await client(port);
    const valid = c.frame(Produce, 7, produce(1, 20, 'first'));
    // A Produce v7 header, then a body whose topic array claims a million entries.
    const garbage = Buffer.from('0000001a 0000 0007 00000063 0001 63 ffffffff 00000000 000f4240 0000'.replace(/ /g, ''), 'hex');
    garbage.writeInt32BE(garbage.length - 4, 0);
    c.write(valid.frame, garbage);
    await c.closed;
    expect(c.frames.map(responseCorrelationId)).toEqual([valid.correlationId]);
    expect(logger.lines.find((l) => l.includes('closing connection'))).toMatch(/Produce v7 request: topicData/);
  });

  it('unknownApiKey: the connection is closed and the key logged', async () => {
    const { port, logger } = await serve();
    const c = await client(port);
    const frame = encodeRequest(ApiVersions, 0, 5, 'c', apiVersionsV0);
    frame.writeInt16BE(999, 4);
    c.write(frame);
    await c.closed;
    expect(c.frames).toHaveLength(0);
    expect(logger.lines.some((l) => l.includes('unknown API (apiKey 999) v0'))).toBe(true);
  });

  it('unservedApi: an API with a schema but no handler closes the connection', async () => {
    const { port, logger } = await serve();
    const c = await client(port);
    c.write(
      c.frame(JoinGroup, 5, {
        groupId: 'g',
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        memberId: '',
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [],
        reason: null,
      }).frame,
    );
    await c.closed;
    expect(logger.lines.some((l) => l.includes('JoinGroup (apiKey 11) v5'))).toBe(true);
  });

  it('unsupportedVersionOfAServedApi: Produce v2 closes the connection naming the supported versions', async () => {
    const { port, logger } = await serve();
    const c = await client(port);
    const frame = c.frame(Produce, 3, produce(1, 0, 't')).frame;
    frame.writeInt16BE(2, 6);
    c.write(frame);
    await c.closed;
    expect(logger.lines.some((l) => l.includes('Produce (apiKey 0) v2') && l.includes('supported versions 3-11'))).toBe(true);
  });

  it('apiVersionsKip511Fallback: ApiVersions v5 gets a v0 response with UNSUPPORTED_VERSION and the full list', async () => {
    const { port } = await serve();
    const c = await client(port);
    const frame = encodeRequest(ApiVersions, 4, 77, 'future-client', { clientSoftwareName: 'future', clientSoftwareVersion: '9' });
    frame.writeInt16BE(5, 6);
    c.write(frame);
    const [response] = await c.waitForFrames(1);
    const { correlationId, body } = decodeResponse(ApiVersions, 0, response!);
    expect(correlationId).toBe(77);
    expect(body.errorCode).toBe(35);
    expect(body.apiKeys).toEqual([
      { apiKey: 0, minVersion: 3, maxVersion: 11 },
      { apiKey: 1, minVersion: 4, maxVersion: 16 },
      { apiKey: 18, minVersion: 0, maxVersion: 4 },
    ]);
    // The connection stays open: the client retries with a version from the list.
    expect((await c.request(ApiVersions, 4, { clientSoftwareName: 'future', clientSoftwareVersion: '9' })).errorCode).toBe(0);
  });

  it('handlerFailure: earlier responses are written, then the connection closes with the handler named', async () => {
    const { port, logger } = await serve();
    const c = await client(port);
    const first = c.frame(Produce, 7, produce(1, 30, 'slow'));
    const failing = c.frame(Fetch, 11, fetchOf('boom', 10));
    const after = c.frame(Produce, 7, produce(1, 0, 'never'));
    c.write(first.frame, failing.frame, after.frame);
    await c.closed;
    expect(c.frames.map(responseCorrelationId)).toEqual([first.correlationId]);
    expect(logger.lines.some((l) => l.includes('Fetch v11 handler failed: the handler broke'))).toBe(true);
  });

  it('idleConnectionClosed: no traffic for connections.max.idle.ms closes it; traffic keeps another open', async () => {
    const { port, logger } = await serve({ idleTimeoutMs: 300 });
    const idle = await client(port);
    const busy = await client(port);
    const started = Date.now();
    for (let i = 0; i < 6; i++) {
      await busy.request(ApiVersions, 1, apiVersionsV0);
      await sleep(100);
    }
    await idle.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(busy.isClosed).toBe(false);
    expect(logger.lines.some((l) => l.includes('idle for more than 300 ms (connections.max.idle.ms)'))).toBe(true);
  });

  it('slowRequestIsNotIdle: a request in flight longer than the idle timeout keeps the connection open', async () => {
    const { port } = await serve({ idleTimeoutMs: 100 });
    const c = await client(port);
    const response = await c.request(Produce, 7, produce(1, 300, 'slow'));
    expect(response.responses[0]!.name).toBe('slow');
  });
});
