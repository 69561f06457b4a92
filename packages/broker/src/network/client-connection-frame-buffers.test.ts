import { decodeResponse, Metadata, Produce } from '@kstream/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiHandler } from '../handlers/handler.js';
import { HandlerRegistry } from '../handlers/registry.js';
import { produceAnswer } from './produce-answer.test-support.js';
import { RawClient } from './raw-client.test-support.js';
import { startTestListener } from './test-listener.test-support.js';
import type { TestListener } from './test-listener.test-support.js';

// Large Produce frames are put together in buffers the broker lends again
// once their request is done (FrameBufferPool). These tests hold requests
// open and check that no buffer is lent twice at once, that a request's
// bytes stay its own until it is answered, and that every buffer comes back
// however the request ends.

const FRAME_RECORDS = 300 * 1024;

/** Requests the handler holds until the test lets them go. */
const held: { records: Buffer; release: () => void }[] = [];
let holding = false;

/**
 * Produce answering, for its one partition, the records' length as `index`,
 * their fill byte as `baseOffset`, and errorCode 2 (CORRUPT_MESSAGE) unless
 * every byte is that fill byte, checked when it answers.
 */
const fillCheck: ApiHandler<typeof Produce> = {
  api: Produce,
  async handle(request) {
    const records = request.topicData[0]!.partitionData[0]!.records!;
    if (holding) await new Promise<void>((release) => held.push({ records, release }));
    const fill = records[0]!;
    const errorCode = records.every((b) => b === fill) ? 0 : 2;
    return produceAnswer(request.topicData[0]!.name, [{ index: records.length, errorCode, baseOffset: BigInt(fill) }]);
  },
};

let listener: TestListener | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  holding = false;
  for (const h of held.splice(0)) h.release();
  for (const client of clients.splice(0)) client.close();
  await listener?.close();
  listener = undefined;
});

async function serve(): Promise<TestListener> {
  listener = await startTestListener(new HandlerRegistry([fillCheck]), { maxRequestBytes: 4 * FRAME_RECORDS });
  return listener;
}

async function client(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  clients.push(c);
  return c;
}

function produceOf(c: RawClient, fill: number) {
  return c.frame(Produce, 7, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 0,
    topicData: [{ name: 'large', partitionData: [{ index: 0, records: Buffer.alloc(FRAME_RECORDS, fill) }] }],
  });
}

function answerOf(frame: Buffer) {
  return decodeResponse(Produce, 7, frame).body.responses[0]!.partitionResponses[0]!;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('ClientConnection frame buffers', () => {
  it('reusedOnceAnswered: one after another, large Produce frames arrive intact in the same lent buffer, given back each time', async () => {
    const { port, frameBuffers } = await serve();
    const take = vi.spyOn(frameBuffers, 'take');
    const c = await client(port);
    for (let fill = 1; fill <= 5; fill++) {
      c.write(produceOf(c, fill).frame);
      const frames = await c.waitForFrames(fill);
      expect(answerOf(frames[fill - 1]!)).toMatchObject({ index: FRAME_RECORDS, errorCode: 0, baseOffset: BigInt(fill) });
    }
    expect(take).toHaveBeenCalledTimes(5);
    const memories = take.mock.results.map((r) => (r.value as Buffer).buffer);
    expect(new Set(memories).size).toBe(1);
    expect(frameBuffers.lentCount).toBe(0);
  });

  it('heldRequestsKeepTheirBytes: requests in flight at once, on one connection and on several, each have their own buffer until answered', async () => {
    const { port, frameBuffers } = await serve();
    holding = true;
    const pipelined = await client(port);
    const others = await Promise.all([client(port), client(port)]);
    pipelined.write(produceOf(pipelined, 10).frame, produceOf(pipelined, 11).frame, produceOf(pipelined, 12).frame);
    for (const [i, c] of others.entries()) c.write(produceOf(c, 20 + i).frame);
    await until(() => held.length === 5, 'five requests are held');
    expect(frameBuffers.lentCount).toBe(5);
    expect(new Set(held.map((h) => h.records.buffer)).size).toBe(5);
    // Answered one at a time; those still held are unchanged by what was read and answered meanwhile.
    while (held.length > 0) {
      const h = held.pop()!;
      const fill = h.records[0]!;
      h.release();
      await until(() => frameBuffers.lentCount === held.length, 'the answered request gives its buffer back');
      for (const other of held)
        expect(
          other.records.every((b) => b === other.records[0]),
          `held request beside ${fill}`,
        ).toBe(true);
    }
    holding = false;
    // Further requests reuse the given-back buffers, and the answers all report intact records.
    pipelined.write(produceOf(pipelined, 13).frame);
    const frames = await pipelined.waitForFrames(4);
    expect(frames.map((f) => answerOf(f)).map((a) => [a.errorCode, Number(a.baseOffset)])).toEqual([
      [0, 10],
      [0, 11],
      [0, 12],
      [0, 13],
    ]);
    for (const [i, c] of others.entries()) expect(answerOf((await c.waitForFrames(1))[0]!)).toMatchObject({ errorCode: 0, baseOffset: BigInt(20 + i) });
    expect(frameBuffers.lentCount).toBe(0);
  });

  it('givenBackAfterTheClientLeaves: a request whose client disconnected gives its buffer back once its handler is done', async () => {
    const { port, frameBuffers } = await serve();
    holding = true;
    const c = await client(port);
    c.write(produceOf(c, 7).frame);
    await until(() => held.length === 1, 'the request is held');
    c.close();
    await c.closed;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(frameBuffers.lentCount).toBe(1);
    held.splice(0)[0]!.release();
    await until(() => frameBuffers.lentCount === 0, 'the buffer is given back');
    expect(frameBuffers.idleBytes).toBeGreaterThan(0);
  });

  it('otherRequestsGetFreshMemory: a large request of another API is never put in a lent buffer', async () => {
    const { port, frameBuffers, logger } = await serve();
    const take = vi.spyOn(frameBuffers, 'take');
    const c = await client(port);
    const topics = Array.from({ length: 2_000 }, (_, i) => ({ topicId: '00000000-0000-0000-0000-000000000000', name: `topic-${i}-${'x'.repeat(100)}` }));
    c.write(c.frame(Metadata, 12, { topics, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }).frame);
    await c.closed;
    // Served by no handler here: the connection closes, having read the whole frame without lending a buffer.
    expect(logger.lines.some((l) => l.includes('Metadata'))).toBe(true);
    expect(take).not.toHaveBeenCalled();
    expect(frameBuffers.lentCount).toBe(0);
  });
});
